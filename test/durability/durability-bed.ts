import { Job } from 'bullmq';
import { createRedisConnection, RedisConnection } from '../../src/redis/connection';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import type { AppContext } from '../../src/context';
import { Database, openPostgres } from '../../src/db/database';
import type { Settings } from '../../src/app/settings';
import { createDeployflowEngine, DeployflowEngine } from '../../src/app/deployflow-engine';
import { failedThroughChild } from '../../src/engine/chain-failure';
import { operationJobId, stepJobId } from '../../src/engine/queue-names';
import { reconcileOnce, ReconcileReport } from '../../src/app/reconciler';
import { COMPENSATE_STEP, DEPLOY_STEPS, STEP_QUEUES, SWITCH_STEPS, UndoStep } from '../../flows/step-names';
import { createKraneClient, KraneClient } from '../../src/krane/client';
import { silentLogger } from '../../src/logger';
import { createDeploy } from '../../src/operations/create-deploy';
import { DeployRequest } from '../../src/operations/deploy-request';
import { requestSwitch, requestUndo } from '../../src/operations/request-switch';
import { HELLO_API } from '../support/engine-harness';
import { OwnServices, startOwnServices } from '../support/own-services';
import { seedProject } from '../support/seed';
import { KraneLedger, startKraneLedger } from './krane-ledger';
import { WorkerPool } from './worker-pool';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Everything a durability test runs against: its own durable redis-server and PostgreSQL (which it may kill), a Krane
 * that keeps a ledger of creations, worker OS processes (which it may kill), and an engine in the test process used
 * only to enqueue and to run reconciler passes by hand.
 */
export interface DurabilityBed {
  services: OwnServices;
  db: Database;
  redis: RedisConnection;
  /** The URL every client of the bed uses: the own redis-server's, or the Redis Cluster's the test passed. */
  redisUrl: string;
  prefix: string;
  krane: KraneLedger;
  kraneClient: KraneClient;
  engine: DeployflowEngine;
  pool: WorkerPool;
  seedProjects(count: number): Promise<SeededProject[]>;
  /**
   * A production deploy on a branch of its own (`d1`, `d2` …): these tests ask that every deploy they start runs to its
   * end whatever is killed, so latest wins (a newer deploy of the same branch supersedes older ones, tested on its own)
   * must not stop any of them.
   */
  deploy(project: SeededProject, env?: Record<string, string>): Promise<{ deploymentId: string; operationId: string }>;
  /** A rollback or promote through the same request path as the API; returns the operation id. */
  switchTo(kind: 'rollback' | 'promote', project: SeededProject, targetDeploymentId: string): Promise<string>;
  /** An undo of the project's last route change, through the same request path as the API; returns the operation id. */
  undo(project: SeededProject): Promise<string>;
  /**
   * Waits (bounded) until none of the operations is queued or running, replacing worker processes that exited.
   * Database errors while PostgreSQL is down only mean "look again". With `reconcileEveryMs`, runs a reconciler pass that
   * often (from the first look on) and keeps the reports that healed something.
   */
  settle(operationIds: string[], options: { timeoutMs: number; reconcileEveryMs?: number }): Promise<SettleOutcome>;
  /** One reconciler pass; the report is kept in `reconcilerHealed` when it healed something. */
  reconcile(now?: number): Promise<ReconcileReport>;
  reconcilerHealed: ReconcileReport[];
  /** Waits (bounded) until at least `count` of the deployments are polling their instances. */
  waitUntilPolling(deploymentIds: string[], count: number, timeoutMs?: number): Promise<void>;
  /** The explanation of every operation that did not succeed, with the workers' recent output; empty when all did. */
  explainUnsucceeded(operationIds: string[]): Promise<string>;
  /** Where each of the operation's jobs is and why the failed ones failed, with its step rows: for failure messages. */
  explain(operationId: string): Promise<string>;
  /**
   * What BullMQ recorded on the operations' jobs (steps, root, compensation): failed attempts by step name, the job
   * with most of them, and how often a job stalled (its worker or its lock went away) — evidence that a fault really
   * hit running steps. Polling does not count (it delays without failing).
   */
  jobHistory(operationIds: string[]): Promise<JobHistory>;
  close(): Promise<void>;
}

export type SeededProject = Awaited<ReturnType<typeof seedProject>>;

export interface JobHistory {
  failedAttempts: number;
  failedAttemptsByStep: Record<string, number>;
  mostOnOneJob: { jobId: string; failed: number; attempts: number };
  stalls: number;
  /** Jobs that met the database down and waited it out without spending an attempt (job data `outageSince`). */
  outageWaits: number;
}

export interface SettleOutcome {
  settled: boolean;
  unfinished: string[];
  waitedMs: number;
}

/** The queue a step's job is on (the compensation job is on `steps`). */
function queueOf(queues: DeployflowEngine['deps']['queues'], step: string) {
  const name = STEP_QUEUES.get(step);
  return name === 'routing' ? queues.routing : name === 'switches' ? queues.switches : queues.steps;
}

/** Every job an operation's flow can have (root, steps, compensation), by step name; absent ones are undefined. */
async function jobsOf(engine: DeployflowEngine, op: { id: string; kind: string }): Promise<{ name: string; job: Job | undefined }[]> {
  const { queues } = engine.deps;
  const steps = op.kind === 'deploy' ? [...DEPLOY_STEPS, COMPENSATE_STEP] : op.kind === 'undo' ? [UndoStep.undoRoutes] : [...SWITCH_STEPS];
  return Promise.all([
    Job.fromId(queues.operations, operationJobId(op.id)).then((job) => ({ name: 'root', job })),
    ...steps.map((step) => Job.fromId(queueOf(queues, step), stepJobId(op.id, step)).then((job) => ({ name: step, job }))),
  ]);
}

function healedSomething(r: ReconcileReport): boolean {
  return r.reenqueued.length + r.failedLostFlows.length + r.compensations.length + r.recreatedInKrane.length > 0;
}

export async function startDurabilityBed(options: {
  settings: Partial<Settings>;
  workers: number;
  concurrency?: number;
  /** A Redis (e.g. `redis+cluster://…`) of the test's own instead of the bed's redis-server; the test stops it. */
  redisUrl?: string;
}): Promise<DurabilityBed> {
  const services = await startOwnServices();
  const redisUrl = options.redisUrl ?? services.redisUrl;
  const prefix = `{d${randomBytes(3).toString('hex')}}`;
  const config = loadConfig({ QUEUE_PREFIX: prefix, REDIS_URL: redisUrl, DATABASE_URL: services.databaseUrl, LOG_LEVEL: 'silent' });
  const db = openPostgres(services.databaseUrl, 5);
  const redis = createRedisConnection(redisUrl, { maxRetriesPerRequest: null });
  // Expected while redis-server is down: the connection reports it and reconnects.
  redis.on('error', () => undefined);
  let krane: KraneLedger;
  try {
    krane = await startKraneLedger();
  } catch (err) {
    redis.disconnect();
    await db.close();
    await services.stop();
    throw err;
  }
  const kraneClient = createKraneClient(krane.url, { token: krane.token });
  const ctx: AppContext = { config, db, prisma: db.prisma, redis, logger: silentLogger };
  const engine = createDeployflowEngine(ctx, kraneClient, options.settings, redisUrl);
  for (const queue of engine.deps.queues.all()) queue.on('error', () => undefined);
  engine.deps.queues.flows.on('error', () => undefined);
  const pool = new WorkerPool(
    { redisUrl, databaseUrl: services.databaseUrl, kraneUrl: krane.url, kraneToken: krane.token, prefix, settings: options.settings, concurrency: options.concurrency },
    options.workers,
  );
  pool.start();
  const enqueueDeps = { prisma: db.prisma, enqueue: engine.enqueue };

  let deploys = 0; // numbers each deploy's own branch (see deploy)
  const bed: DurabilityBed = {
    services,
    db,
    redis,
    redisUrl,
    prefix,
    krane,
    kraneClient,
    engine,
    pool,
    reconcilerHealed: [],
    async seedProjects(count) {
      const projects: SeededProject[] = [];
      for (let i = 0; i < count; i++) projects.push(await seedProject(db.prisma, { workspace: `ws${i}-${randomBytes(2).toString('hex')}`, project: `app${i}` }));
      return projects;
    },
    async deploy(project, env = {}) {
      deploys += 1;
      return createDeploy(
        enqueueDeps,
        { workspaceId: project.workspace.id, requestedBy: 'durability-test' },
        DeployRequest.parse({ projectId: project.project.id, image: HELLO_API, git: { branch: `d${deploys}` }, runtime: { env } }),
      );
    },
    async switchTo(kind, project, targetDeploymentId) {
      const { operationId } = await requestSwitch(
        enqueueDeps,
        { workspaceId: project.workspace.id, requestedBy: 'durability-test' },
        { kind, projectId: project.project.id, targetDeploymentId },
      );
      return operationId;
    },
    async undo(project) {
      const { operationId } = await requestUndo(enqueueDeps, { workspaceId: project.workspace.id, requestedBy: 'durability-test' }, project.project.id);
      return operationId;
    },
    async reconcile(now) {
      const report = await reconcileOnce(engine.deps, now);
      if (healedSomething(report)) bed.reconcilerHealed.push(report);
      return report;
    },
    async settle(operationIds, { timeoutMs, reconcileEveryMs }) {
      const started = Date.now();
      let lastReconcile = 0;
      let unfinished = operationIds;
      for (;;) {
        pool.replaceExited();
        try {
          const rows = await db.prisma.operation.findMany({ where: { id: { in: operationIds }, state: { in: ['queued', 'running'] } }, select: { id: true } });
          unfinished = rows.map((r) => r.id);
          if (unfinished.length === 0) return { settled: true, unfinished, waitedMs: Date.now() - started };
          if (reconcileEveryMs !== undefined && Date.now() - lastReconcile >= reconcileEveryMs) {
            lastReconcile = Date.now();
            await bed.reconcile();
          }
        } catch {
          // PostgreSQL or Redis is down or just restarted: look again shortly.
        }
        if (Date.now() - started > timeoutMs) return { settled: false, unfinished, waitedMs: Date.now() - started };
        await sleep(250);
      }
    },
    async waitUntilPolling(deploymentIds, count, timeoutMs = 60_000) {
      await until(
        `${count} deploys polling`,
        async () =>
          (await db.prisma.deploymentStep.count({ where: { ownerId: { in: deploymentIds }, name: 'poll-instances', status: 'running', output: { startsWith: 'poll ' } } })) >= count,
        timeoutMs,
      );
    },
    async explainUnsucceeded(operationIds) {
      const failed = await db.prisma.operation.findMany({ where: { id: { in: operationIds }, state: { not: 'succeeded' } }, select: { id: true } });
      if (failed.length === 0) return '';
      return `${(await Promise.all(failed.map((o) => bed.explain(o.id)))).join('\n')}\n${pool.output()}`;
    },
    async explain(operationId) {
      const op = await db.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
      const rows = await db.prisma.deploymentStep.findMany({ where: { ownerId: op.kind === 'deploy' && op.deploymentId ? op.deploymentId : op.id } });
      const lines = [`${op.kind} ${op.id}: ${op.state} ${op.errorCode ?? ''} ${op.errorMessage ?? ''}`];
      for (const { name, job } of await jobsOf(engine, op)) {
        const row = rows.find((r) => r.name === name);
        lines.push(
          `  ${name}: job ${job ? await job.getState() : 'missing'} atm=${job?.attemptsMade ?? '-'} stalled=${job?.stalledCounter ?? '-'} ${job?.failedReason ?? ''}` +
            (name === 'root' ? '' : ` | row ${row?.status ?? 'none'} ${row?.error ?? ''}`),
        );
      }
      return lines.join('\n');
    },
    async jobHistory(operationIds) {
      const history: JobHistory = { failedAttempts: 0, failedAttemptsByStep: {}, mostOnOneJob: { jobId: '', failed: 0, attempts: 0 }, stalls: 0, outageWaits: 0 };
      const ops = await db.prisma.operation.findMany({ where: { id: { in: operationIds } }, select: { id: true, kind: true } });
      for (const op of ops) {
        for (const { name, job } of await jobsOf(engine, op)) {
          if (!job) continue;
          history.stalls += job.stalledCounter;
          if ((job.data as { outageSince?: number }).outageSince) history.outageWaits += 1;
          // BullMQ counts the successful run in attemptsMade too, and a parent failed by its child; a self-delay (polling) is not counted.
          if ((await job.isFailed()) && (await failedThroughChild(job))) continue;
          const failed = job.attemptsMade - ((await job.isCompleted()) ? 1 : 0);
          if (failed <= 0) continue;
          history.failedAttemptsByStep[name] = (history.failedAttemptsByStep[name] ?? 0) + failed;
          history.failedAttempts += failed;
          if (failed > history.mostOnOneJob.failed) history.mostOnOneJob = { jobId: job.id!, failed, attempts: job.opts.attempts ?? 1 };
        }
      }
      return history;
    },
    async close() {
      // Every part is stopped even if an earlier one fails to; the servers (by PID) last, once nothing uses them.
      const errors: unknown[] = [];
      const attempt = async (stop: () => unknown) => {
        try {
          await stop();
        } catch (err) {
          errors.push(err);
        }
      };
      await attempt(() => pool.stop());
      await attempt(() => engine.close());
      await attempt(() => kraneClient.close());
      await attempt(() => krane.stop());
      await attempt(() => redis.disconnect());
      await attempt(() => db.close());
      await attempt(() => services.stop());
      if (errors.length) throw errors[0];
    },
  };
  return bed;
}

/** Waits (bounded) until `check` holds, ignoring errors of a database that is restarting. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Looked while a service was down: look again.
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
