/**
 * `npm run bench` (SPEC §8 "Speed", issue 12): the engine's orchestration overhead with real deploys and with an
 * instant Krane, rollback-to-traffic latency (unloaded, and while deploys poll by the thousand), each against a bare
 * BullMQ flow of the same shape on the same Redis, and the gateway's throughput against the app direct, Caddy and
 * nginx. Printed as tables and written to bench/results/latest.json. Everything it starts (servers, Krane instances,
 * workers, gateways, peer proxies) is stopped at the end, on error and on SIGINT/SIGTERM too.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { Config, loadConfig } from '../src/config';
import type { AppContext } from '../src/context';
import { deployFlow } from '../flows/deploy';
import { rollbackFlow } from '../flows/rollback';
import { DEPLOY_STEPS } from '../flows/step-names';
import { defaultSettings } from '../src/app/settings';
import { startGatewayProcesses } from '../src/gateway';
import { startEmbeddedKrane } from '../src/krane/embedded';
import { createLogger, Logger, LogLevel } from '../src/logger';
import { BareFlows, startBareFlows } from './bare-flow';
import { openBenchEngine } from './bench-engine';
import { Cleanup } from './cleanup';
import { DeployMeasurement, measureDeploy, removeFromKrane } from './deploy-bench';
import { benchGateway } from './gateway-bench';
import { benchInstantDeploys } from './instant-bench';
import { startInstantKrane } from './instant-krane';
import { runInLanes } from './lanes';
import { withChildren } from './process-cpu';
import { BenchOptions, BenchUsageError, parseBenchOptions } from './options';
import { benchRollbackUnderPollLoad } from './poll-load-bench';
import { runScaleBench } from './scale-bench';
import { BenchResults, describeMachine, ModeComparison, modeResult, RealDeployResults, RealSwitchResults, renderReport, writeResults } from './report';
import { BenchWorkspace, seedProject, seedWorkspace } from './seed';
import { BenchServices, removeKeysUnder, startBenchServices } from './services';
import { latencyRatio, ratio, summarize } from './stats';
import { measureSwitch, startGatewayPoller, SwitchMeasurement, waitUntilServed } from './switch-bench';

const REPO_ROOT = path.resolve(__dirname, '..');
const GATEWAY_POLL_INTERVAL_MS = 1;
const BARE_WARMUP_PER_DEPLOY = 20;
/** The poll interval of the poll-load section (issue 12 measures with 1 s). */
const POLL_LOAD_INTERVAL_MS = 1_000;

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);
const load1 = () => Math.round(os.loadavg()[0] * 100) / 100;

function compare(deployflow: { latencies: number[]; wallMs: number }, bare: { latencies: number[]; wallMs: number }, concurrency: number): ModeComparison {
  const ours = modeResult(deployflow.latencies, deployflow.wallMs, concurrency, summarize(deployflow.latencies));
  const theirs = modeResult(bare.latencies, bare.wallMs, concurrency, summarize(bare.latencies));
  return { deployflow: ours, bare: theirs, ratio: { ...latencyRatio(ours.latency, theirs.latency), throughput: ratio(ours.throughputPerSec, theirs.throughputPerSec) } };
}

/** The bench process (engine, API side, instant Krane), and redis-server and PostgreSQL (its backends) when this run started them. */
function cpuGroupsOf(services: BenchServices): Record<string, () => number[]> {
  const pidOf = (name: string) => services.started.find((p) => p.name === name)?.pid;
  const redisPid = pidOf('redis-server');
  const postgresPid = pidOf('postgres');
  return {
    'bench process (engine, instant Krane)': () => [process.pid],
    ...(redisPid ? { 'redis-server': () => [redisPid] } : {}),
    ...(postgresPid ? { 'postgres (all backends)': () => withChildren(postgresPid) } : {}),
  };
}

interface Shared {
  options: BenchOptions;
  cleanup: Cleanup;
  services: BenchServices;
  redis: IORedis;
  workspace: BenchWorkspace;
  bare: BareFlows;
  runId: string;
  logLevel: LogLevel;
  logger: Logger;
  /** Every queue prefix a section used, for the key clean-up on a Redis we did not start. */
  prefixes: string[];
}

/** A context of its own per section: its queues, routes and gateway events live under `prefix`. */
function sectionContext(shared: Shared, name: string): AppContext {
  const prefix = `{bench-${name}-${shared.runId}}`;
  shared.prefixes.push(prefix);
  const config: Config = loadConfig({
    ...process.env,
    LOG_LEVEL: shared.logLevel,
    REDIS_URL: shared.services.redisUrl,
    DATABASE_URL: shared.services.databaseUrl,
    QUEUE_PREFIX: prefix,
  });
  return { config, db: shared.services.db, prisma: shared.services.db.prisma, redis: shared.redis, logger: shared.logger };
}

/** Real deploys of examples/hello-api through the process driver, and switches between two of them. */
async function realSections(shared: Shared): Promise<{ deploy: RealDeployResults; rollback: RealSwitchResults }> {
  const { options, cleanup, services, workspace, bare } = shared;
  const ctx = sectionContext(shared, 'real');
  const krane = await startEmbeddedKrane({ rootDir: REPO_ROOT });
  cleanup.add('embedded Krane and its instances', () => krane.stop());
  const bench = openBenchEngine(ctx, krane.client, workspace, services.redisUrl, cleanup);
  const prisma = bench.prisma;
  const sequentialProject = await seedProject(prisma, workspace.id, 'sequential');
  const laneProjects = await Promise.all(Array.from({ length: options.concurrency }, (_, lane) => seedProject(prisma, workspace.id, `lane${lane}`)));
  const bareDeploy = () => bare.run(deployFlow);
  const bareSwitch = () => bare.run(rollbackFlow);

  progress(`warming up (${options.warmup} deploy(s), ${options.warmup * BARE_WARMUP_PER_DEPLOY} bare flows of each shape)`);
  const warm: DeployMeasurement[] = [];
  for (let i = 0; i < options.warmup; i++) warm.push(await measureDeploy(bench, sequentialProject.id, `warmup-${i}`));
  for (let i = 0; i < options.warmup * BARE_WARMUP_PER_DEPLOY; i++) {
    await bareDeploy();
    await bareSwitch();
  }
  await removeFromKrane(bench, warm.map((d) => d.deploymentId));

  progress(`deploy flow, sequential: ${options.n} deploys`);
  const sequential = await runInLanes(options.n, 1, (i) => measureDeploy(bench, sequentialProject.id, `seq-${i}`));
  await removeFromKrane(bench, sequential.results.map((d) => d.deploymentId));
  progress(`bare 9-step flow, sequential: ${options.bareN} flows`);
  const bareSequential = await runInLanes(options.bareN, 1, bareDeploy);

  progress(`deploy flow, ${options.concurrency} at once: ${options.n} deploys`);
  const concurrent = await runInLanes(options.n, options.concurrency, (i, lane) => measureDeploy(bench, laneProjects[lane].id, `lane-${i}`));
  await removeFromKrane(bench, concurrent.results.map((d) => d.deploymentId));
  progress(`bare 9-step flow, ${options.concurrency} at once: ${options.bareN} flows`);
  const bareConcurrent = await runInLanes(options.bareN, options.concurrency, bareDeploy);

  progress('rollback-to-traffic: two ready deployments behind the gateway');
  const switchProject = await seedProject(prisma, workspace.id, 'switch');
  const blue = await measureDeploy(bench, switchProject.id, 'blue');
  const green = await measureDeploy(bench, switchProject.id, 'green');
  // As `npm start` runs it: GATEWAY_PROCESSES workers (--gateway-processes, default the CPU count; 1 = in this process).
  const gateway = await startGatewayProcesses({
    redisUrl: services.redisUrl,
    prefix: ctx.config.QUEUE_PREFIX,
    prisma,
    port: 0,
    resyncMs: ctx.config.GATEWAY_RESYNC_MS,
    processes: options.gatewayProcesses,
    logger: shared.logger,
    logLevel: 'error',
  });
  cleanup.add('gateway', () => gateway.close());
  const liveHost = (await prisma.ingressRoute.findFirstOrThrow({ where: { projectId: switchProject.id, sticky: 'live' } })).hostname;
  await waitUntilServed(gateway.port, liveHost, green.deploymentId);
  const poller = startGatewayPoller(gateway.port, GATEWAY_POLL_INTERVAL_MS);
  cleanup.add('gateway poller thread', () => poller.close());
  // Even counts keep green live between runs: rollback to blue, then promote green.
  const switchOnce = (i: number) =>
    i % 2 === 0
      ? measureSwitch(bench, poller, { kind: 'rollback', projectId: switchProject.id, liveHost, target: blue.deploymentId })
      : measureSwitch(bench, poller, { kind: 'promote', projectId: switchProject.id, liveHost, target: green.deploymentId });
  for (let i = 0; i < options.warmup * 2; i++) await switchOnce(i);
  progress(`rollback-to-traffic: ${options.switches} switches`);
  const switches: SwitchMeasurement[] = [];
  for (let i = 0; i < options.switches; i++) switches.push(await switchOnce(i));
  progress(`bare 3-step flow, sequential: ${options.bareN} flows`);
  const bareSwitches = await runInLanes(options.bareN, 1, bareSwitch);
  await poller.close();
  await gateway.close();
  await removeFromKrane(bench, [blue.deploymentId, green.deploymentId]);
  await bench.close();

  const latencies = (runs: DeployMeasurement[]) => runs.map((d) => d.latencyMs);
  const seqRuns = sequential.results;
  const bareSeq = summarize(bareSequential.results);
  const stepSumMinusPoll = summarize(seqRuns.map((d) => d.stepSumMs - d.pollInstancesMs));
  const latencyMinusPoll = summarize(seqRuns.map((d) => d.latencyMs - d.pollInstancesMs));
  const toTraffic = summarize(switches.map((s) => s.toTrafficMs));
  const toSucceeded = summarize(switches.map((s) => s.toSucceededMs));
  const bareSwitchResult = modeResult(bareSwitches.results, bareSwitches.wallMs, 1, summarize(bareSwitches.results));
  return {
    deploy: {
      sequential: compare({ latencies: latencies(seqRuns), wallMs: sequential.wallMs }, { latencies: bareSequential.results, wallMs: bareSequential.wallMs }, 1),
      concurrent: compare(
        { latencies: latencies(concurrent.results), wallMs: concurrent.wallMs },
        { latencies: bareConcurrent.results, wallMs: bareConcurrent.wallMs },
        options.concurrency,
      ),
      engineOnly: {
        stepSumMinusPoll,
        latencyMinusPoll,
        pollInstances: summarize(seqRuns.map((d) => d.pollInstancesMs)),
        bare: bareSeq,
        ratio: { stepSumMinusPoll: latencyRatio(stepSumMinusPoll, bareSeq), latencyMinusPoll: latencyRatio(latencyMinusPoll, bareSeq) },
      },
      steps: Object.fromEntries(DEPLOY_STEPS.map((step) => [step, summarize(seqRuns.map((d) => d.steps[step] ?? 0))])),
    },
    rollback: {
      count: switches.length,
      toTraffic,
      toSucceeded,
      bare: bareSwitchResult,
      ratio: { toTraffic: latencyRatio(toTraffic, bareSwitchResult.latency), toSucceeded: latencyRatio(toSucceeded, bareSwitchResult.latency) },
    },
  };
}

/** The Redis and PostgreSQL servers this run started (none when REDIS_URL / DATABASE_URL name others). */
function serverPidsOf(started: { name: string; pid: number }[]): { redis?: () => number[]; postgres?: () => number[] } {
  const redis = started.find((p) => p.name === 'redis-server')?.pid;
  const postgres = started.find((p) => p.name === 'postgres')?.pid;
  return { ...(redis ? { redis: () => [redis] } : {}), ...(postgres ? { postgres: () => withChildren(postgres) } : {}) };
}

async function runBenchmark(options: BenchOptions, cleanup: Cleanup): Promise<BenchResults> {
  const loadAtStart = load1();
  const logLevel = (process.env.LOG_LEVEL ?? 'error') as LogLevel;
  const poolSize = loadConfig({ ...process.env, LOG_LEVEL: logLevel }).DATABASE_POOL_SIZE;
  progress(`starting services (sections ${options.sections.join(', ')}; load average ${loadAtStart})`);
  const services = await startBenchServices(cleanup, process.env, poolSize);
  const runId = randomBytes(3).toString('hex');
  const barePrefix = `{bench-bare-${runId}}`;
  const baseConfig = loadConfig({ ...process.env, LOG_LEVEL: logLevel, REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl });
  const logger = createLogger(baseConfig.LOG_LEVEL, { service: 'deployflow-bench' });

  const redis = new IORedis(services.redisUrl, { maxRetriesPerRequest: null });
  cleanup.add('redis client', () => redis.quit());
  const prefixes: string[] = [barePrefix];
  if (services.redisSource === 'REDIS_URL') {
    cleanup.add('benchmark keys', async () => {
      for (const prefix of prefixes) await removeKeysUnder(redis, prefix);
    });
  }
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-bench-peers-'));
  cleanup.add('peer proxy directory', () => rmSync(tempDir, { recursive: true, force: true }));
  const workspace = await seedWorkspace(services.db.prisma);
  // The bare flows take the engine's default settings: the same attempts, backoff, lock and stall timing.
  const settings = defaultSettings(baseConfig);
  const bare = startBareFlows(services.redisUrl, barePrefix, settings, baseConfig.WORKER_CONCURRENCY);
  cleanup.add('bare flow workers', () => bare.close());
  const shared: Shared = { options, cleanup, services, redis, workspace, bare, runId, logLevel, logger, prefixes };

  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    machine: describeMachine(),
    options: (({ out: _out, ...shown }) => shown)(options),
    setup: {
      redis: services.redisSource,
      database: services.databaseSource,
      workerConcurrency: baseConfig.WORKER_CONCURRENCY,
      pollIntervalMs: baseConfig.POLL_INTERVAL_MS,
      stepAttempts: settings.stepAttempts,
      backoffMs: settings.backoffMs,
      gatewayPollIntervalMs: GATEWAY_POLL_INTERVAL_MS,
      concurrentDeploys: `${options.concurrency} lanes, one project per lane (a project's route changes are serialized by design)`,
    },
    deploy: {},
    rollback: {},
    loadAverage: { start: loadAtStart, end: 0 },
    startedProcesses: services.started,
  };
  const run = (section: BenchOptions['sections'][number]) => options.sections.includes(section);

  if (run('deploy')) {
    const real = await realSections(shared);
    Object.assign(results.deploy, real.deploy);
    Object.assign(results.rollback, real.rollback);
  }

  if (run('instant') || run('poll-load')) {
    const instantKrane = await startInstantKrane(cleanup);
    if (run('instant')) {
      progress(`instant Krane: ${options.instantN} deploys per mode`);
      const bench = openBenchEngine(sectionContext(shared, 'instant'), instantKrane.client, workspace, services.redisUrl, cleanup);
      const keptPrefix = `{bench-bare-kept-${runId}}`;
      prefixes.push(keptPrefix);
      const bareBookkept = startBareFlows(services.redisUrl, keptPrefix, settings, baseConfig.WORKER_CONCURRENCY, { databaseUrl: services.databaseUrl });
      cleanup.add('bare flow workers with bookkeeping', () => bareBookkept.close());
      const instant = await benchInstantDeploys(bench, bare, {
        bareBookkept,
        n: options.instantN,
        concurrency: options.concurrency,
        warmup: options.warmup,
        compare,
        progress,
        cpuGroups: cpuGroupsOf(services),
      });
      await bench.close();
      results.deploy.instantKrane = { ...instant, ratio: instant.concurrent.ratio };
    }
    if (run('poll-load')) {
      const ctx = sectionContext(shared, 'poll');
      const bench = openBenchEngine(ctx, instantKrane.client, workspace, services.redisUrl, cleanup, { pollIntervalMs: POLL_LOAD_INTERVAL_MS });
      results.rollback.underPollLoad = await benchRollbackUnderPollLoad(bench, {
        pollingDeploys: options.pollingDeploys,
        switches: options.switches,
        warmup: options.warmup,
        pollIntervalMs: POLL_LOAD_INTERVAL_MS,
        gatewayProcesses: options.gatewayProcesses,
        redisUrl: services.redisUrl,
        prefix: ctx.config.QUEUE_PREFIX,
        cleanup,
        logger,
        progress,
        countPolls: () => instantKrane.driver.getCalls,
        serverPids: serverPidsOf(services.started),
      });
      // The polling deploys have nothing more to tell: stop their workers now rather than let them poll on.
      await bench.close();
    }
  }

  if (run('gateway')) {
    const ctx = sectionContext(shared, 'gateway');
    results.gateway = await benchGateway(
      { prisma: services.db.prisma, redisUrl: services.redisUrl, prefix: ctx.config.QUEUE_PREFIX, workspaceId: workspace.id, tempDir, cleanup, logger, progress, started: services.started },
      { connections: options.gatewayConnections, seconds: options.gatewaySeconds, warmupSeconds: options.quick ? 0.5 : 1, rounds: options.gatewayRounds, processes: options.gatewayProcesses },
    );
  }
  results.loadAverage.end = load1();
  return results;
}

/** `--scale`: the scaling curve (bench/scale-bench.ts), on its own: it takes no other option. */
async function scaleMode(): Promise<number> {
  const cleanup = new Cleanup();
  const onSignal = () => void cleanup.run().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runScaleBench(cleanup);
  } finally {
    await cleanup.run();
  }
}

async function main(): Promise<number> {
  if (process.argv.slice(2).includes('--scale')) return scaleMode();
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof BenchUsageError) {
      process.stderr.write(err.message.trim() + '\n');
      return 2;
    }
    throw err;
  }
  const cleanup = new Cleanup();
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping everything started`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const results = await runBenchmark(options, cleanup);
    await cleanup.run();
    process.stdout.write(renderReport(results) + '\n');
    writeResults(options.out, results);
    process.stdout.write(`\nresults written to ${options.out}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    await cleanup.run();
  }
}

void main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
