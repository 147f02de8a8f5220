/**
 * `npm run bench` (SPEC §8 "Speed"): the engine's orchestration overhead and rollback-to-traffic latency, each
 * against a bare BullMQ flow of the same shape on the same Redis, printed as ratios and written to
 * bench/results/latest.json. Everything it starts (servers, Krane instances, workers, gateway) is stopped at the end,
 * on error and on SIGINT/SIGTERM too.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import IORedis from 'ioredis';
import { loadConfig } from '../src/config';
import type { AppContext } from '../src/context';
import { createDeployflowEngine } from '../src/app/deployflow-engine';
import { QueueName } from '../src/engine/queue-names';
import { DEPLOY_STEPS, SWITCH_STEPS } from '../test/support/flow-steps';
import { startGatewayService } from '../src/gateway';
import { startEmbeddedKrane } from '../src/krane/embedded';
import { createLogger, LogLevel } from '../src/logger';
import { startBareFlows } from './bare-flow';
import type { BenchEngine } from './bench-engine';
import { Cleanup } from './cleanup';
import { CompletionWatch } from './completion-watch';
import { DeployMeasurement, measureDeploy, removeFromKrane } from './deploy-bench';
import { runInLanes } from './lanes';
import { BenchOptions, BenchUsageError, parseBenchOptions } from './options';
import { BenchResults, describeMachine, ModeComparison, modeResult, renderReport, writeResults } from './report';
import { seedProject, seedWorkspace } from './seed';
import { removeKeysUnder, startBenchServices } from './services';
import { latencyRatio, ratio, summarize } from './stats';
import { measureSwitch, startGatewayPoller, SwitchMeasurement, waitUntilServed } from './switch-bench';

const REPO_ROOT = path.resolve(__dirname, '..');
const GATEWAY_POLL_INTERVAL_MS = 1;
const BARE_WARMUP_PER_DEPLOY = 20;

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

function compare(deployflow: { latencies: number[]; wallMs: number }, bare: { latencies: number[]; wallMs: number }, concurrency: number): ModeComparison {
  const ours = modeResult(deployflow.latencies, deployflow.wallMs, concurrency, summarize(deployflow.latencies));
  const theirs = modeResult(bare.latencies, bare.wallMs, concurrency, summarize(bare.latencies));
  return { deployflow: ours, bare: theirs, ratio: { ...latencyRatio(ours.latency, theirs.latency), throughput: ratio(ours.throughputPerSec, theirs.throughputPerSec) } };
}

async function runBenchmark(options: BenchOptions, cleanup: Cleanup): Promise<BenchResults> {
  const logLevel = (process.env.LOG_LEVEL ?? 'error') as LogLevel;
  const poolSize = loadConfig({ ...process.env, LOG_LEVEL: logLevel }).DATABASE_POOL_SIZE;
  progress(`starting services (n=${options.n}, concurrency=${options.concurrency}, switches=${options.switches}, bare-n=${options.bareN})`);
  const services = await startBenchServices(cleanup, process.env, poolSize);
  const runId = randomBytes(3).toString('hex');
  const prefix = `{bench-${runId}}`;
  const barePrefix = `{bench-bare-${runId}}`;
  const config = loadConfig({ ...process.env, LOG_LEVEL: logLevel, REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl, QUEUE_PREFIX: prefix });
  const logger = createLogger(config.LOG_LEVEL, { service: 'deployflow-bench' });

  const redis = new IORedis(services.redisUrl, { maxRetriesPerRequest: null });
  cleanup.add('redis client', () => redis.quit());
  if (services.redisSource === 'REDIS_URL') {
    cleanup.add('benchmark keys', async () => {
      await removeKeysUnder(redis, prefix);
      await removeKeysUnder(redis, barePrefix);
    });
  }
  const ctx: AppContext = { config, db: services.db, prisma: services.db.prisma, redis, logger };
  const krane = await startEmbeddedKrane({ rootDir: REPO_ROOT });
  cleanup.add('embedded Krane and its instances', () => krane.stop());
  const engine = createDeployflowEngine(ctx, krane.client, {}, services.redisUrl);
  cleanup.add('engine workers', () => engine.close());
  const workers = engine.startWorkers({ concurrency: config.WORKER_CONCURRENCY });
  const watch = new CompletionWatch(workers.workers.find((w) => w.name === QueueName.operations)!);
  cleanup.add('completion watch', () => watch.close());
  const bare = startBareFlows(services.redisUrl, barePrefix, engine.deps.settings, config.WORKER_CONCURRENCY);
  cleanup.add('bare flow workers', () => bare.close());

  const prisma = services.db.prisma;
  const workspace = await seedWorkspace(prisma);
  const bench: BenchEngine = { prisma, engine, krane, watch, workspace, caller: { workspaceId: workspace.id, requestedBy: 'script:bench' } };
  const sequentialProject = await seedProject(prisma, workspace.id, 'sequential');
  const laneProjects = await Promise.all(Array.from({ length: options.concurrency }, (_, lane) => seedProject(prisma, workspace.id, `lane${lane}`)));
  const bareDeploy = () => bare.run(DEPLOY_STEPS, 'deploy');
  const bareSwitch = () => bare.run(SWITCH_STEPS, 'rollback');

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
  const gateway = await startGatewayService({ redisUrl: services.redisUrl, prefix, prisma, port: 0, resyncMs: config.GATEWAY_RESYNC_MS, logger });
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

  const latencies = (runs: DeployMeasurement[]) => runs.map((d) => d.latencyMs);
  const seqRuns = sequential.results;
  const bareSeq = summarize(bareSequential.results);
  const stepSumMinusPoll = summarize(seqRuns.map((d) => d.stepSumMs - d.pollInstancesMs));
  const latencyMinusPoll = summarize(seqRuns.map((d) => d.latencyMs - d.pollInstancesMs));
  const toTraffic = summarize(switches.map((s) => s.toTrafficMs));
  const toSucceeded = summarize(switches.map((s) => s.toSucceededMs));
  const bareSwitchResult = modeResult(bareSwitches.results, bareSwitches.wallMs, 1, summarize(bareSwitches.results));
  const { out: _out, ...shownOptions } = options;

  return {
    generatedAt: new Date().toISOString(),
    machine: describeMachine(),
    options: shownOptions,
    setup: {
      redis: services.redisSource,
      database: services.databaseSource,
      workerConcurrency: config.WORKER_CONCURRENCY,
      pollIntervalMs: engine.deps.settings.pollIntervalMs,
      stepAttempts: engine.deps.settings.stepAttempts,
      backoffMs: engine.deps.settings.backoffMs,
      gatewayPollIntervalMs: GATEWAY_POLL_INTERVAL_MS,
      concurrentDeploys: `${options.concurrency} lanes, one project per lane (a project's route changes are serialized by design)`,
    },
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
    startedProcesses: services.started,
  };
}

async function main(): Promise<number> {
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
