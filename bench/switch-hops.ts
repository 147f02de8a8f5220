/**
 * `npm run bench:hops`: where a rollback's time goes, hop by hop. Rollback/promote between two instant-Krane
 * deployments behind the gateway (as the poll-load section's unloaded series), with every PostgreSQL statement counted
 * (a counting pg pool under the engine's Prisma client) and each hop timed from the workers' own events and the routing
 * trace: request → enqueued → validate and check-instances (at the same time) → switch-routes (turn, transaction,
 * publish) → operation succeeded → the gateway serves the target. Prints per-hop p50/p90 and the statements of one switch; writes
 * bench/results/switch-hops.json (`--out`). Options: `--n` (40), `--warmup` (4), `--gateway-processes` (CPU count).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Job } from 'bullmq';
import IORedis from 'ioredis';
import pg from 'pg';
import { createDeployflowEngine } from '../src/app/deployflow-engine';
import { loadConfig } from '../src/config';
import type { AppContext } from '../src/context';
import { PrismaClient, TRANSACTION_OPTIONS } from '../src/db/prisma';
import { QueueName } from '../src/engine/queue-names';
import { startGatewayProcesses } from '../src/gateway';
import { silentLogger } from '../src/logger';
import { requestSwitch } from '../src/operations/request-switch';
import { readRoutingTrace } from '../src/routing/routing-trace';
import { Cleanup } from './cleanup';
import { CompletionWatch } from './completion-watch';
import { readDeploy, runDeploy } from './deploy-bench';
import { startInstantKrane } from './instant-krane';
import { seedProject, seedWorkspace } from './seed';
import { startBenchServices } from './services';
import { summarize } from './stats';
import { startGatewayPoller, waitUntilServed } from './switch-bench';

const now = () => performance.timeOrigin + performance.now();
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const outArg = () => {
  const i = process.argv.indexOf('--out');
  return i > 0 ? process.argv[i + 1] : path.join(__dirname, 'results', 'switch-hops.json');
};

interface Statement {
  at: number;
  connection: number;
  text: string;
}

/** A pg pool whose every query (BEGIN and COMMIT included) is recorded with the connection it ran on. */
function countingPool(connectionString: string, max: number, log: Statement[]): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  let connections = 0;
  pool.on('connect', (client) => {
    const connection = ++connections;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text: string };
      log.push({ at: now(), connection, text: typeof first === 'string' ? first : first.text });
      return query(...args);
    };
  });
  return pool;
}

type Marks = Record<string, number>;

async function main(): Promise<void> {
  const n = arg('n', 40);
  const warmup = arg('warmup', 4);
  const gatewayProcesses = arg('gateway-processes', os.cpus().length);
  const cleanup = new Cleanup();
  process.once('SIGINT', () => void cleanup.run().finally(() => process.exit(130)));
  try {
    const loadStart = os.loadavg()[0];
    const baseConfig = loadConfig({ ...process.env, LOG_LEVEL: 'error' });
    const services = await startBenchServices(cleanup, process.env, baseConfig.DATABASE_POOL_SIZE);
    const statements: Statement[] = [];
    const pool = countingPool(services.databaseUrl, baseConfig.DATABASE_POOL_SIZE, statements);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: TRANSACTION_OPTIONS });
    cleanup.add('counting prisma', async () => {
      await prisma.$disconnect();
      await pool.end();
    });
    const redis = new IORedis(services.redisUrl, { maxRetriesPerRequest: null });
    cleanup.add('redis client', () => redis.quit());
    const prefix = `{bench-hops-${randomBytes(3).toString('hex')}}`;
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'error', REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl, QUEUE_PREFIX: prefix });
    const ctx: AppContext = { config, db: { ...services.db, prisma }, prisma, redis, logger: silentLogger };
    const krane = await startInstantKrane(cleanup);
    const engine = createDeployflowEngine(ctx, krane.client, { traceRouting: true }, services.redisUrl);
    const workers = engine.startWorkers({ concurrency: config.WORKER_CONCURRENCY });
    cleanup.add('engine', () => engine.close());
    const watch = new CompletionWatch(workers.workers.find((w) => w.name === QueueName.operations)!);
    const workspace = await seedWorkspace(prisma);
    const bench = { prisma, sql: ctx.db.sql, engine, krane: { client: krane.client }, watch, workspace, caller: { workspaceId: workspace.id, requestedBy: 'script:bench' } };

    // Each job's start and end as its worker sees them (the `active` event fires right before the processor runs).
    const marks = new Map<string, Marks>();
    const mark = (job: Job, what: string) => {
      const operationId = (job.data as { operationId?: string }).operationId;
      if (!operationId) return;
      const m = marks.get(operationId) ?? {};
      const step = (job.data as { step?: string }).step ?? 'operation';
      m[`${step}.${what}`] ??= now();
      marks.set(operationId, m);
    };
    for (const worker of workers.workers) {
      worker.on('active', (job) => mark(job, 'active'));
      worker.on('completed', (job) => mark(job, 'completed'));
    }

    const project = await seedProject(prisma, workspace.id, 'hops');
    const blue = await readDeploy(bench, await runDeploy(bench, project.id, 'blue'));
    const green = await readDeploy(bench, await runDeploy(bench, project.id, 'green'));
    const gateway = await startGatewayProcesses({ redisUrl: services.redisUrl, prefix, prisma: services.db.prisma, port: 0, processes: gatewayProcesses, logger: silentLogger, logLevel: 'error' });
    cleanup.add('gateway', () => gateway.close());
    const liveHost = (await prisma.ingressRoute.findFirstOrThrow({ where: { projectId: project.id, sticky: 'live' } })).hostname;
    await waitUntilServed(gateway.port, liveHost, green.deploymentId);
    const poller = startGatewayPoller(gateway.port, 1);
    cleanup.add('poller', () => poller.close());

    interface Run {
      operationId: string;
      kind: string;
      start: number;
      returned: number;
      served: number;
      completed: number;
      marks: Marks;
      statements: Statement[];
    }
    const once = async (i: number): Promise<Run> => {
      const kind = i % 2 === 0 ? ('rollback' as const) : ('promote' as const);
      const target = kind === 'rollback' ? blue.deploymentId : green.deploymentId;
      let start = 0;
      let returned = 0;
      let operationId = '';
      let completedAt: Promise<number> | undefined;
      const served = await poller.watch(liveHost, target, async () => {
        start = now();
        const request = await requestSwitch({ prisma, enqueue: engine.enqueue }, bench.caller, { kind, projectId: project.id, targetDeploymentId: target });
        returned = now();
        operationId = request.operationId;
        completedAt = watch.wait(operationId, { timeoutMs: 60_000 }).then((at) => performance.timeOrigin + at);
      });
      while (!completedAt) await new Promise((r) => setTimeout(r, 1));
      const completed = await completedAt;
      await new Promise((r) => setTimeout(r, 30));
      return { operationId, kind, start, returned, served: served.servedAt, completed, marks: marks.get(operationId) ?? {}, statements: statements.filter((s) => s.at >= start && s.at <= completed) };
    };
    for (let i = 0; i < warmup; i++) await once(i);
    const runs: Run[] = [];
    for (let i = 0; i < n; i++) runs.push(await once(i));
    const trace = await readRoutingTrace(redis, prefix);

    const hops: Record<string, number[]> = {};
    const add = (name: string, value: number | undefined) => {
      if (value === undefined || Number.isNaN(value)) return;
      (hops[name] ??= []).push(value);
    };
    const counts: Record<string, number[]> = {};
    const count = (name: string, value: number) => (counts[name] ??= []).push(value);
    for (const run of runs) {
      const m = run.marks;
      const start = trace.find((t) => t.event === 'start' && t.jobId.startsWith(run.operationId));
      const end = trace.find((t) => t.event === 'end' && t.jobId.startsWith(run.operationId));
      add('1 request (checks, operation row, flow added)', run.returned - run.start);
      // validate and check-instances run at the same time (both children of switch-routes): switch-routes starts
      // after the later of the two. (A build that ran them in series shows check-instances starting after validate.)
      const checksDone = Math.max(m['validate.completed'], m['check-instances.completed']);
      add('2 request start -> validate active', m['validate.active'] - run.start);
      add('3 validate (active -> completed)', m['validate.completed'] - m['validate.active']);
      add('4 request start -> check-instances active', m['check-instances.active'] - run.start);
      add('5 check-instances', m['check-instances.completed'] - m['check-instances.active']);
      add('5a first check active -> both checks completed', checksDone - Math.min(m['validate.active'], m['check-instances.active']));
      add('6 hop -> switch-routes active', m['switch-routes.active'] - checksDone);
      add('7 switch-routes active -> turn taken', start ? start.at - m['switch-routes.active'] : undefined);
      add('8 turn taken -> published (tx + publish)', start && end ? end.at - start.at : undefined);
      add('8a of which the transaction', end?.txMs);
      add('9 published -> switch-routes completed', end ? m['switch-routes.completed'] - end.at : undefined);
      add('10 hop -> operation active', m['operation.active'] - m['switch-routes.completed']);
      add('11 operation (root) active -> completed', m['operation.completed'] - m['operation.active']);
      add('published -> gateway serves target', end ? run.served - end.at : undefined);
      add('TOTAL request -> served', run.served - run.start);
      add('TOTAL request -> succeeded', run.completed - run.start);
      count('statements', run.statements.length);
      // The route change transaction: the statements of the connection between the BEGIN and COMMIT around the fence update.
      const fenceAt = run.statements.findIndex((s) => s.text.includes('"routingFence" ='));
      if (fenceAt >= 0) {
        const conn = run.statements[fenceAt].connection;
        const own = run.statements.filter((s) => s.connection === conn);
        const at = own.indexOf(run.statements[fenceAt]);
        let from = at;
        while (from > 0 && own[from].text !== 'BEGIN') from--;
        let to = at;
        while (to < own.length - 1 && own[to].text !== 'COMMIT') to++;
        count('statements in the route change transaction (BEGIN..COMMIT)', to - from + 1);
      }
    }
    const table = Object.entries(hops).map(([hop, values]) => {
      const s = summarize(values);
      return { hop, p50: s.p50Ms, p90: Math.round([...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)] * 100) / 100, mean: s.meanMs };
    });
    const loadEnd = os.loadavg()[0];
    process.stdout.write(`switch hops: ${n} switches (instant Krane, gateway of ${gateway.processes} process(es)); load average ${loadStart.toFixed(2)} -> ${loadEnd.toFixed(2)}\n`);
    for (const row of table) process.stdout.write(`${row.hop.padEnd(50)} p50 ${String(row.p50).padStart(7)}  p90 ${String(row.p90).padStart(7)}  mean ${String(row.mean).padStart(7)}\n`);
    for (const [name, values] of Object.entries(counts)) process.stdout.write(`${name}: median ${summarize(values).p50Ms} (min ${Math.min(...values)}, max ${Math.max(...values)})\n`);
    const sample = runs[runs.length - 1];
    process.stdout.write(`\nstatements of one ${sample.kind} (ms from the request):\n`);
    for (const s of sample.statements) process.stdout.write(`  ${(s.at - sample.start).toFixed(2).padStart(7)} c${s.connection} ${s.text.replace(/\s+/g, ' ').slice(0, 150)}\n`);
    const out = outArg();
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ generatedAt: new Date().toISOString(), load: { start: loadStart, end: loadEnd }, n, hops: table, counts: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, summarize(v)])) }, null, 2));
  } finally {
    await cleanup.run();
  }
}

void main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`switch hops failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
