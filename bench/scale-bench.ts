/**
 * `npm run bench -- --scale` (issue 14): deploy throughput and rollback latency with 1, 2 and 4 `npm run worker`
 * processes, against one redis-server and against a 3-master Redis Cluster, with the instant Krane (so the figures
 * are the engine's, not an app's start-up). Reports deploy flows/s and rollback p99 per run, and the CPU each group
 * of processes used (redis-server, postgres, workers, this process), written to bench/results/scale.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { QueueEvents } from 'bullmq';
import { createDeployflowProducer } from '../src/app/deployflow-engine';
import { loadConfig } from '../src/config';
import { QueueName } from '../src/engine/queue-names';
import { InstantDriver } from '../src/krane/drivers/instant-driver';
import { startEmbeddedKrane } from '../src/krane/embedded';
import { silentLogger } from '../src/logger';
import { createDeploy } from '../src/operations/create-deploy';
import { DeployRequest } from '../src/operations/deploy-request';
import { requestSwitch } from '../src/operations/request-switch';
import { createRedisConnection } from '../src/redis/connection';
import { ChildService } from '../src/services/child-service';
import { startRedisCluster } from '../test/support/redis-cluster';
import type { Cleanup } from './cleanup';
import { runInLanes } from './lanes';
import { measureCpu, withChildren } from './process-cpu';
import { seedProject, seedWorkspace } from './seed';
import { startBenchServices } from './services';
import { summarize } from './stats';

const REPO_ROOT = path.resolve(__dirname, '..');
const WORKER_COUNTS = [1, 2, 4];
const LANES = 8;
const DEPLOYS = Number(process.env.BENCH_SCALE_DEPLOYS ?? 80);
const SWITCHES_PER_LANE = Number(process.env.BENCH_SCALE_SWITCHES ?? 6);
const WORKER_CONCURRENCY = 10;
const WORKER_POOL_SIZE = 8;
const FLOW_TIMEOUT_MS = 120_000;
export const SCALE_RESULTS_FILE = path.join(__dirname, 'results', 'scale.json');

const progress = (message: string) => process.stderr.write(`bench --scale: ${message}\n`);

export interface ScaleRun {
  redis: 'one redis-server' | 'Redis Cluster (3 masters)';
  workerProcesses: number;
  deploys: number;
  deployFlowsPerSec: number;
  deployP50Ms: number;
  rollbacks: number;
  rollbackP50Ms: number;
  rollbackP99Ms: number;
  /** % of one core during the deploy phase (100 = one core busy all along). */
  cpuPercent: Record<string, number>;
}

function startWorker(env: Record<string, string>): ChildService {
  return ChildService.start('worker', process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'worker-main.ts')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'error', ...env },
  });
}

/** Resolves with the completion time of each operation's root job (or rejects when it failed). */
function completionsOf(events: QueueEvents) {
  const waiting = new Map<string, { resolve(at: number): void; reject(err: Error): void }>();
  events.on('completed', ({ jobId }) => waiting.get(jobId)?.resolve(performance.now()));
  events.on('failed', ({ jobId, failedReason }) => waiting.get(jobId)?.reject(new Error(`operation ${jobId} failed: ${failedReason}`)));
  return (operationId: string) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`operation ${operationId} not done within ${FLOW_TIMEOUT_MS} ms`)), FLOW_TIMEOUT_MS);
      waiting.set(operationId, {
        resolve: (at) => (clearTimeout(timer), waiting.delete(operationId), resolve(at)),
        reject: (err) => (clearTimeout(timer), waiting.delete(operationId), reject(err)),
      });
    });
}

export async function runScaleBench(cleanup: Cleanup): Promise<number> {
  const services = await startBenchServices(cleanup, { ...process.env, REDIS_URL: process.env.REDIS_URL ?? '' }, 10);
  const cluster = await startRedisCluster();
  cleanup.add('redis cluster', () => cluster.stop());
  const krane = await startEmbeddedKrane({ driver: new InstantDriver() });
  cleanup.add('instant Krane', () => krane.stop());
  const postgresPid = services.started.find((s) => s.name === 'postgres')?.pid;
  const redisPid = services.started.find((s) => s.name === 'redis-server')?.pid;
  const workspace = await seedWorkspace(services.db.prisma);
  const runs: ScaleRun[] = [];
  const targets = [
    { name: 'one redis-server' as const, url: services.redisUrl, pids: () => (redisPid ? [redisPid] : []) },
    { name: 'Redis Cluster (3 masters)' as const, url: cluster.url, pids: () => cluster.pids().filter((p): p is number => p !== undefined) },
  ];
  for (const target of targets) {
    for (const count of WORKER_COUNTS) {
      const runId = randomBytes(3).toString('hex');
      const prefix = `{scale-${runId}}`;
      progress(`${target.name}, ${count} worker process(es): starting`);
      const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', REDIS_URL: target.url, DATABASE_URL: services.databaseUrl, QUEUE_PREFIX: prefix });
      const redis = createRedisConnection(target.url, { maxRetriesPerRequest: null });
      const ctx = { config, db: services.db, prisma: services.db.prisma, redis, logger: silentLogger };
      const producer = createDeployflowProducer(ctx);
      const events = new QueueEvents(QueueName.operations, { connection: createRedisConnection(target.url, { maxRetriesPerRequest: null }), prefix });
      await events.waitUntilReady();
      const completed = completionsOf(events);
      const workers = Array.from({ length: count }, () =>
        startWorker({
          REDIS_URL: target.url,
          DATABASE_URL: services.databaseUrl,
          DATABASE_POOL_SIZE: String(WORKER_POOL_SIZE),
          KRANE_URL: krane.url,
          KRANE_TOKEN: krane.token,
          QUEUE_PREFIX: prefix,
          WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
          ENGINE_SETTINGS: JSON.stringify({ pollIntervalMs: 100 }),
        }),
      );
      const stopWorkers = () => Promise.all(workers.map((w) => w.stop(10_000)));
      cleanup.add(`worker processes (${prefix})`, stopWorkers);
      try {
        const caller = { workspaceId: workspace.id, requestedBy: 'script:bench' };
        const projects = await Promise.all(Array.from({ length: LANES }, (_, lane) => seedProject(services.db.prisma, workspace.id, `scale-${runId}-${lane}`)));
        const deploy = async (lane: number, version: string) => {
          const started = performance.now();
          const request = DeployRequest.parse({ projectId: projects[lane].id, image: 'file:examples/hello-api', git: { branch: 'main' }, runtime: { env: { VERSION: version } } });
          const { operationId, deploymentId } = await createDeploy({ prisma: ctx.prisma, enqueue: producer.producer.enqueue }, caller, request);
          return { deploymentId, ms: (await completed(operationId)) - started };
        };
        // Warm-up (also waits for the worker processes to be up): two deploys per lane, so each has two to switch between.
        const warm = await runInLanes(LANES, LANES, async (lane) => [await deploy(lane, 'warm-a'), await deploy(lane, 'warm-b')]);
        const ready = warm.results.map((pair) => pair.map((r) => r.deploymentId));

        progress(`${target.name}, ${count} worker process(es): ${DEPLOYS} deploys, ${LANES} at once`);
        const cpu = measureCpu({
          'redis-server': target.pids,
          postgres: () => (postgresPid ? withChildren(postgresPid) : []),
          workers: () => workers.map((w) => w.pid!).filter(Boolean),
          'bench process (API side + instant instances)': () => [process.pid],
        });
        const deploys = await runInLanes(DEPLOYS, LANES, (i, lane) => deploy(lane, `d-${i}`));
        const cpuPercent = cpu.stop();

        progress(`${target.name}, ${count} worker process(es): ${SWITCHES_PER_LANE * LANES} rollbacks/promotes, ${LANES} projects at once`);
        // The lane's last deploy is live: roll back to one of the warm-up deployments, then promote the other, ...
        const rollbackMs: number[] = [];
        await runInLanes(LANES, LANES, async (lane) => {
          for (let i = 0; i < SWITCHES_PER_LANE; i++) {
            const started = performance.now();
            const kind = i % 2 === 0 ? 'rollback' : 'promote';
            const target = ready[lane][i % 2];
            const { operationId } = await requestSwitch({ prisma: ctx.prisma, enqueue: producer.producer.enqueue }, caller, { kind, projectId: projects[lane].id, targetDeploymentId: target });
            const ms = (await completed(operationId)) - started;
            if (kind === 'rollback') rollbackMs.push(ms);
          }
        });
        const deployStats = summarize(deploys.results.map((r) => r.ms));
        const rollbackStats = summarize(rollbackMs);
        const run: ScaleRun = {
          redis: target.name,
          workerProcesses: count,
          deploys: DEPLOYS,
          deployFlowsPerSec: Math.round((DEPLOYS / (deploys.wallMs / 1000)) * 10) / 10,
          deployP50Ms: Math.round(deployStats.p50Ms),
          rollbacks: rollbackMs.length,
          rollbackP50Ms: Math.round(rollbackStats.p50Ms),
          rollbackP99Ms: Math.round(rollbackStats.p99Ms),
          cpuPercent,
        };
        runs.push(run);
        progress(JSON.stringify(run));
        await Promise.all([...warm.results.flat(), ...deploys.results].map((r) => krane.client.delete(workspace.slug, r.deploymentId).catch(() => undefined)));
      } finally {
        await stopWorkers();
        await events.close();
        await producer.close();
        redis.disconnect();
      }
    }
  }
  const results = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) },
    settings: { lanes: LANES, deploys: DEPLOYS, switchesPerLane: SWITCHES_PER_LANE, workerConcurrency: WORKER_CONCURRENCY, workerPoolSize: WORKER_POOL_SIZE, pollIntervalMs: 100, krane: 'instant' },
    runs,
  };
  mkdirSync(path.dirname(SCALE_RESULTS_FILE), { recursive: true });
  writeFileSync(SCALE_RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderScaleTable(runs));
  console.log(`written to ${path.relative(process.cwd(), SCALE_RESULTS_FILE)} (${results.machine.cpus} CPUs, load average ${results.machine.loadAverage.join(' ')})`);
  return 0;
}

export function renderScaleTable(runs: ScaleRun[]): string {
  const lines = ['| Redis | workers | deploy flows/s | deploy p50 ms | rollback p50 ms | rollback p99 ms | CPU % redis / postgres / workers / bench / whole machine |', '|---|---:|---:|---:|---:|---:|---|'];
  for (const r of runs) {
    const c = Object.values(r.cpuPercent);
    lines.push(`| ${r.redis} | ${r.workerProcesses} | ${r.deployFlowsPerSec} | ${r.deployP50Ms} | ${r.rollbackP50Ms} | ${r.rollbackP99Ms} | ${c.join(' / ')} |`);
  }
  return lines.join('\n');
}
