import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { FlowProducer, Job, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Pool, type PoolClient, type QueryConfig } from 'pg';
import type { AnyFlow } from '../src/engine/define-flow';
import { buildFlowJob } from '../src/engine/flow-job';
import type { StepResult } from '../src/engine/job-data';
import type { EngineSettings } from '../src/engine/settings';
import { QueueName } from '../src/engine/queue-names';
import { CompletionWatch } from './completion-watch';

/** Merges a parent's children values as the engine does; here it is all a job does. */
async function childOutputs(job: Job): Promise<Record<string, unknown>> {
  const values = (await job.getChildrenValues()) as Record<string, StepResult | undefined>;
  const merged: Record<string, unknown> = {};
  for (const value of Object.values(values)) Object.assign(merged, value?.outputs ?? {});
  return merged;
}

export interface BareFlows {
  /** Adds one flow of this shape (its steps, each on its queue) and resolves with its latency (add → root completed), in ms. */
  run(flow: AnyFlow): Promise<number>;
  close(): Promise<void>;
}

/**
 * The least per-step bookkeeping a durable step record takes, for the bare flow to do when asked: a statement when
 * the step starts (its row, running) and one when it ends (succeeded, with its output), and an event published for
 * each. It writes a temporary table (one per connection, gone with it), so nothing is left in the database.
 */
export interface BareBookkeeping {
  databaseUrl: string;
}

const BOOKKEEPING_TABLE = `CREATE TEMP TABLE IF NOT EXISTS "bare_step" ("id" text PRIMARY KEY, "name" text NOT NULL, "status" text NOT NULL,
  "startedAt" timestamptz, "endedAt" timestamptz, "output" text)`;
const STEP_STARTED = `INSERT INTO "bare_step" ("id", "name", "status", "startedAt") VALUES ($1, $2, 'running', now())
  ON CONFLICT ("id") DO UPDATE SET "status" = 'running', "startedAt" = now()`;
const STEP_SUCCEEDED = `UPDATE "bare_step" SET "status" = 'succeeded', "endedAt" = now(), "output" = $2 WHERE "id" = $1`;

export type BareFlowSettings = Pick<EngineSettings, 'stepAttempts' | 'backoffMs' | 'lockDurationMs' | 'stalledIntervalMs'>;

/**
 * The baseline: the very same FlowJob the engine enqueues (`buildFlowJob`: root in `operations`, a nested
 * chain of children in `steps` and `routing`, the same attempts, backoff, failParentOnFailure and retention), run by
 * workers of the same queues and concurrency whose processors do nothing but merge their child's value and return.
 * It runs under its own key prefix on the same Redis, so the two never see each other's jobs.
 */
export function startBareFlows(redisUrl: string, prefix: string, settings: BareFlowSettings, concurrency: number, bookkeeping?: BareBookkeeping): BareFlows {
  const connections: IORedis[] = [];
  const connection = () => {
    const c = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    connections.push(c);
    return c;
  };
  const common = { prefix, autorun: true, concurrency, lockDuration: settings.lockDurationMs, stalledInterval: settings.stalledIntervalMs };
  const pool = bookkeeping ? new Pool({ connectionString: bookkeeping.databaseUrl, max: concurrency }) : undefined;
  // An idle connection the server ends (PostgreSQL stopping at the end of the run) must not crash the bench.
  pool?.on('error', () => undefined);
  // Each connection gets its temporary table once, before its first statement (what pool.query does, plus that).
  const withTable = new WeakSet<PoolClient>();
  const write = async (query: QueryConfig) => {
    const client = await pool!.connect();
    try {
      if (!withTable.has(client)) {
        await client.query(BOOKKEEPING_TABLE);
        withTable.add(client);
      }
      await client.query(query);
    } finally {
      client.release();
    }
  };
  const events = bookkeeping ? connection() : undefined;
  const channel = `${prefix}:bare-step-events`;
  const step = async (job: Job): Promise<StepResult> => {
    if (!pool || !events) return { outputs: { ...(await childOutputs(job)), [job.name]: null } };
    await write({ name: 'bare_step_started', text: STEP_STARTED, values: [job.id, job.name] });
    await events.publish(channel, JSON.stringify({ id: job.id, step: job.name, status: 'running' }));
    const result = { outputs: { ...(await childOutputs(job)), [job.name]: null } };
    await write({ name: 'bare_step_succeeded', text: STEP_SUCCEEDED, values: [job.id, JSON.stringify(result)] });
    await events.publish(channel, JSON.stringify({ id: job.id, step: job.name, status: 'succeeded' }));
    return result;
  };
  const workers = [
    new Worker(QueueName.steps, step, { ...common, connection: connection() }),
    new Worker(QueueName.routing, step, { ...common, connection: connection() }),
    new Worker(QueueName.switches, step, { ...common, connection: connection() }),
    new Worker(QueueName.operations, childOutputs, { ...common, connection: connection() }),
  ];
  const operations = workers[3];
  const watch = new CompletionWatch(operations);
  const producer = connection();
  const flows = new FlowProducer({ connection: producer, prefix });
  const batch = randomBytes(4).toString('hex');
  let count = 0;

  return {
    async run(flow) {
      const operationId = `bare_${batch}_${++count}`;
      const job = buildFlowJob(flow, { operationId, kind: flow.kind, projectId: 'bare', ownerId: operationId }, settings);
      const started = performance.now();
      await flows.add(job);
      const completed = await watch.wait(operationId, { timeoutMs: 30_000 });
      return completed - started;
    },
    async close() {
      watch.close();
      await Promise.all(workers.map((w) => w.close()));
      await flows.close();
      await pool?.end();
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
