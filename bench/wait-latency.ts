/**
 * `npm run bench:wait`: how long after an operation finished does a `?wait` answer reach its caller?
 *
 * The control plane as `npm start` runs it (HTTP API on a real socket, engine workers in the same process, embedded
 * Krane), or with `--worker-process` its workers in a separate `npm run worker` process. Two ready deployments, then
 * N rollbacks alternating between them, each `POST /v1/projects/:id/rollback/:target?wait=30`. For each: the
 * operation's `finishedAt` (written by the worker as it ends the operation) to the moment the whole HTTP answer has
 * arrived here. Both clocks are this machine's. Prints p50/p95 and writes them to bench/results/wait-latency.json.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import IORedis from 'ioredis';
import { createApiApp } from '../src/api/app';
import { createApiKey } from '../src/auth/api-key';
import { loadConfig } from '../src/config';
import type { AppContext, ControlPlaneContext } from '../src/context';
import { createDeployflowEngine } from '../src/app/deployflow-engine';
import { createOperationWatcher } from '../src/app/operation-watcher';
import { startEmbeddedKrane } from '../src/krane/embedded';
import { createLogger, LogLevel } from '../src/logger';
import { ChildService } from '../src/services/child-service';
import { Cleanup } from './cleanup';
import { describeMachine } from './report';
import { seedProject, seedWorkspace } from './seed';
import { removeKeysUnder, startBenchServices } from './services';
import { summarize } from './stats';

const REPO_ROOT = path.resolve(__dirname, '..');
const progress = (message: string) => process.stderr.write(`bench:wait: ${message}\n`);

interface WaitOptions {
  n: number;
  warmup: number;
  workerProcess: boolean;
  out: string;
}

function parseOptions(argv: string[]): WaitOptions {
  const options: WaitOptions = { n: 50, warmup: 4, workerProcess: false, out: path.join(__dirname, 'results', 'wait-latency.json') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--n') options.n = Number(value());
    else if (flag === '--warmup') options.warmup = Number(value());
    else if (flag === '--worker-process') options.workerProcess = true;
    else if (flag === '--out') options.out = path.resolve(value());
    else throw new Error(`unknown option ${argv[i]}; usage: npm run bench:wait -- [--n 50] [--warmup 4] [--worker-process] [--out FILE]`);
  }
  if (!Number.isInteger(options.n) || options.n < 1) throw new Error('--n must be a positive integer');
  if (!Number.isInteger(options.warmup) || options.warmup < 0) throw new Error('--warmup must be a whole number');
  return options;
}

interface Sample {
  /** operation.finishedAt → the whole HTTP answer received. */
  finishToAnswerMs: number;
  /** request sent → the whole HTTP answer received. */
  requestToAnswerMs: number;
}

async function run(options: WaitOptions, cleanup: Cleanup) {
  const logLevel = (process.env.LOG_LEVEL ?? 'error') as LogLevel;
  const services = await startBenchServices(cleanup, process.env, loadConfig({ ...process.env, LOG_LEVEL: logLevel }).DATABASE_POOL_SIZE);
  const prefix = `{bench-wait-${randomBytes(3).toString('hex')}}`;
  const config = loadConfig({ ...process.env, LOG_LEVEL: logLevel, REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl, QUEUE_PREFIX: prefix });
  const logger = createLogger(config.LOG_LEVEL, { service: 'deployflow-bench-wait' });
  const redis = new IORedis(services.redisUrl, { maxRetriesPerRequest: null });
  cleanup.add('redis client', () => redis.quit());
  if (services.redisSource === 'REDIS_URL') cleanup.add('benchmark keys', () => removeKeysUnder(redis, prefix));

  const ctx: AppContext = { config, db: services.db, prisma: services.db.prisma, redis, logger };
  const krane = await startEmbeddedKrane({ rootDir: REPO_ROOT });
  cleanup.add('embedded Krane and its instances', () => krane.stop());
  const engine = createDeployflowEngine(ctx, krane.client, {}, services.redisUrl);
  cleanup.add('engine', () => engine.close());
  if (options.workerProcess) {
    const worker = ChildService.start('worker', process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'worker-main.ts')], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REDIS_URL: services.redisUrl,
        DATABASE_URL: services.databaseUrl,
        KRANE_URL: krane.url,
        KRANE_TOKEN: krane.token,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        // Not the fixed default: other runs on this machine may hold it.
        HEALTH_PORT: '0',
      },
    });
    cleanup.add('worker process', () => worker.stop());
  } else {
    engine.startWorkers();
  }

  const watcher = createOperationWatcher(ctx);
  cleanup.add('operation watcher', () => watcher.close());
  const controlPlane: ControlPlaneContext = { ...ctx, operations: engine.producer, watcher };
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: createApiApp(controlPlane).fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  cleanup.add('http api', () => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the API has no port');
  const base = `http://127.0.0.1:${address.port}`;

  const prisma = services.db.prisma;
  const workspace = await seedWorkspace(prisma);
  const project = await seedProject(prisma, workspace.id, 'waits');
  const { key } = await createApiKey(prisma, { workspaceId: workspace.id, role: 'deployer' });
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, at: Date.now() };
  };

  const deploy = async (version: string) => {
    const created = await call('POST', '/v1/deployments', { projectId: project.id, image: 'file:examples/hello-api', runtime: { env: { VERSION: version } } });
    if (created.status !== 202) throw new Error(`deploy answered ${created.status}: ${JSON.stringify(created.body)}`);
    for (let i = 0; i < 10; i++) {
      const op = await call('GET', `/v1/operations/${created.body.operationId}?wait=30`);
      if (op.body.state === 'succeeded') return created.body.deploymentId as string;
      if (op.body.state !== 'queued' && op.body.state !== 'running') throw new Error(`deploy ${version} ended ${op.body.state}`);
    }
    throw new Error(`deploy ${version} did not finish in 5 minutes`);
  };
  progress(`deploying two versions (${options.workerProcess ? 'workers in a separate process' : 'workers in this process'})`);
  const blue = await deploy('blue');
  const green = await deploy('green');

  const rollback = async (target: string): Promise<Sample> => {
    const sent = Date.now();
    const res = await call('POST', `/v1/projects/${project.id}/rollback/${target}?wait=30`);
    if (res.status !== 200) throw new Error(`rollback answered ${res.status}: ${JSON.stringify(res.body)}`);
    const op = await prisma.operation.findUniqueOrThrow({ where: { id: res.body.id }, select: { finishedAt: true } });
    return { finishToAnswerMs: res.at - op.finishedAt!.getTime(), requestToAnswerMs: res.at - sent };
  };
  // green is live: the first rollback goes to blue, the next back to green, and so on.
  const target = (i: number) => (i % 2 === 0 ? blue : green);
  progress(`warming up: ${options.warmup} rollbacks`);
  for (let i = 0; i < options.warmup; i++) await rollback(target(i));
  progress(`measuring: ${options.n} rollbacks with ?wait=30`);
  const samples: Sample[] = [];
  for (let i = 0; i < options.n; i++) samples.push(await rollback(target(options.warmup + i)));
  await krane.client.delete(workspace.slug, blue);
  await krane.client.delete(workspace.slug, green);
  return {
    generatedAt: new Date().toISOString(),
    machine: describeMachine(),
    options: { n: options.n, warmup: options.warmup, workers: options.workerProcess ? 'separate npm run worker process' : 'in the API process' },
    finishToAnswer: summarize(samples.map((s) => s.finishToAnswerMs)),
    requestToAnswer: summarize(samples.map((s) => s.requestToAnswerMs)),
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const cleanup = new Cleanup();
  const onSignal = () => void cleanup.run().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const results = await run(options, cleanup);
    await cleanup.run();
    const line = (name: string, s: { p50Ms: number; p95Ms: number; meanMs: number; minMs: number; maxMs: number; count: number }) =>
      `${name.padEnd(28)} p50 ${s.p50Ms} ms  p95 ${s.p95Ms} ms  mean ${s.meanMs} ms  min ${s.minMs} ms  max ${s.maxMs} ms  (n=${s.count})`;
    process.stdout.write(`?wait answers, ${results.options.n} rollbacks, workers ${results.options.workers}\n`);
    process.stdout.write(line('finishedAt -> answer', results.finishToAnswer) + '\n');
    process.stdout.write(line('request -> answer', results.requestToAnswer) + '\n');
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(`results written to ${options.out}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`bench:wait failed: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    await cleanup.run();
  }
}

void main().then((code) => process.exit(code));
