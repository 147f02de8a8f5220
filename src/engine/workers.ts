import { Job, UnrecoverableError, Worker } from 'bullmq';
import { createRedisConnection, RedisConnection } from '../redis/connection';
import { quitRedis } from '../services/quit-redis';
import { chainFailure, failedChild } from './chain-failure';
import { isCompensationJob, runCompensation } from './compensation';
import type { EngineContext } from './engine-context';
import { MalformedJobError } from './errors';
import { concurrentLeadCount } from './define-flow';
import { failMalformedOperation } from './final-failure';
import type { FlowRegistry } from './flow-registry';
import { firstIssue, OperationJobData, StepJobFields } from './job-data';
import { CompletedChildren } from './completed-children';
import { completeOperation } from './operation-completion';
import { QueueName } from './queue-names';
import { type ChildValues, readChildValues } from './step-start';
import { runStep, validateStepJob } from './step-runner';

export interface EngineWorkers {
  workers: Worker[];
  /** `force`: end the connections first and do not wait for jobs in flight (Redis is gone: they could not finish). */
  close(force?: boolean): Promise<void>;
}

/** The jobs of the reconciler queue, by name: scheduled jobs (e.g. the reconciler's pass). */
export type ScheduledJobHandlers = Record<string, () => Promise<unknown>>;

export interface WorkerOptions<Services> {
  engine: EngineContext;
  services: Services;
  flows: FlowRegistry;
  redisUrl: string;
  concurrency: number;
  scheduled: ScheduledJobHandlers;
}

/** Fails a malformed job for good, and its operation with the reason when the job names it. */
async function refuseMalformed(engine: EngineContext, job: Job, err: MalformedJobError): Promise<never> {
  const named = OperationJobData.partial().safeParse(job.data);
  await failMalformedOperation(engine, named.success ? named.data.operationId : undefined, named.success ? named.data.ownerId : undefined, err);
  throw new UnrecoverableError(err.message);
}

/**
 * A job whose child step failed for good fails at once with the child's reason, without running (chain-failure.ts).
 * Only a job that has a child and has not run before can be in that case: the first step has no child, and a step
 * that delayed itself had its child succeed before its first run.
 */
async function failIfChildFailed(job: Job, hasChild: boolean): Promise<void> {
  if (!hasChild) return;
  const reason = await failedChild(job, typeof job.data?.operationId === 'string' ? job.data.operationId : undefined);
  if (reason) {
    await job.log(`${new Date().toISOString()} not run: ${reason}`).catch(() => undefined);
    throw chainFailure(reason);
  }
}

/**
 * How many children a step job has: none for a flow's first step (or its leading concurrent steps' first, whose
 * position is 0); as many as the flow's leading concurrent steps for the step right after them (a switch's
 * `switch-routes` has `validate` and `check-instances`); one otherwise. A later concurrent step (check-instances,
 * position 1) has none in this version's flows, but is counted as one: flows queued by an older version chained it
 * behind validate.
 */
function childrenOf(flows: FlowRegistry, job: Job): number {
  const position = StepJobFields.shape.position.safeParse(job.data?.position);
  if (!position.success) return 1;
  if (position.data === 0) return 0;
  const kind = OperationJobData.shape.kind.safeParse(job.data?.kind);
  if (!kind.success || !flows.has(kind.data)) return 1;
  const lead = concurrentLeadCount(flows.of(kind.data));
  return lead > 0 && position.data === lead ? lead : 1;
}

/**
 * A step job's child outputs, read before it runs, and the chain failure when a child failed instead. A child that
 * succeeded is in the job's processed children, so the happy path pays at most one Redis read (the outputs, which the
 * step needs anyway), and none when its children completed in this process (`CompletedChildren`); it looks for a
 * failed child only when fewer children succeeded than the job has: with two concurrent children, one can have
 * succeeded and the other failed (BullMQ moves the parent on at the failure). A first step has no child: nothing to
 * read. A re-run of a step that delayed itself had its children succeed before its first run: it takes their outputs
 * from this process when it holds them all, else reads them with the rest of the step's start (step-start.ts).
 */
async function childOutputsOrChainFailure(job: Job, children: number, completed: CompletedChildren): Promise<ChildValues | undefined> {
  if (children === 0) return {};
  const seen = completed.valuesOf(job, children);
  if (job.data?.delays) return seen;
  const values = seen ?? (await readChildValues(job));
  if (Object.keys(values).length < children) await failIfChildFailed(job, true);
  return values;
}

/**
 * The processor of the `steps`, `routing` and `switches` queues: the step of the job's flow, by the step its data
 * names (`step`: the job's name is for people and carries what the operation is about). Jobs of older versions were
 * named after their step and carry the same `step` field. The queue does not matter: a switch's checks that an earlier
 * version queued on `steps` still run there.
 */
function stepProcessor<Services>(options: WorkerOptions<Services>, completed: CompletedChildren) {
  const { engine, services, flows } = options;
  return async (job: Job, token?: string) => {
    if (!token) throw new Error(`job ${job.id} was handed to its processor without a lock token`);
    if (isCompensationJob(job)) return runCompensation(engine, services, flows, job);
    const childValues = await childOutputsOrChainFailure(job, childrenOf(flows, job), completed);
    let validated;
    try {
      const kind = OperationJobData.shape.kind.safeParse(job.data?.kind);
      if (!kind.success) throw new MalformedJobError(job.id, 'kind: missing');
      const flow = flows.of(kind.data);
      const stepName = StepJobFields.shape.step.safeParse(job.data?.step);
      const name = stepName.success ? stepName.data : job.name;
      const placed = flow.steps.find((s) => s.step.name === name);
      if (!placed) throw new MalformedJobError(job.id, `flow ${flow.kind} has no step ${name}`);
      validated = validateStepJob(flow, placed.step, job);
    } catch (err) {
      if (err instanceof MalformedJobError) return refuseMalformed(engine, job, err);
      throw err;
    }
    return runStep(engine, services, validated, job, token, childValues);
  };
}

/**
 * The processor of the `operations` queue: an operation's root job, which records the outcome once every step
 * succeeded, and fails with the failing step's reason otherwise. Scheduled jobs ran here before they had their own
 * queue: one still queued here (or made by an older process's scheduler) is completed without running — the
 * reconciler queue runs the schedule now, and a pass here would only compete with operations for this queue's slots.
 */
function operationProcessor<Services>(options: WorkerOptions<Services>, completed: CompletedChildren) {
  const { engine, services, flows, scheduled } = options;
  return async (job: Job) => {
    if (scheduled[job.name] && !OperationJobData.safeParse(job.data).success) {
      return { skipped: `scheduled jobs run in the ${QueueName.reconciler} queue now` };
    }
    // Its one child (the last step) completed in this process: it did not fail, nothing to read.
    await failIfChildFailed(job, !completed.holds(job, 1));
    const data = OperationJobData.safeParse(job.data);
    if (!data.success) return refuseMalformed(engine, job, new MalformedJobError(job.id, firstIssue(data.error)));
    return completeOperation(engine, services, flows.of(data.data.kind), data.data);
  };
}

/** The processor of the `reconciler` queue: the scheduled job of the job's name. */
function scheduledProcessor(scheduled: ScheduledJobHandlers) {
  return async (job: Job) => {
    const handler = scheduled[job.name];
    if (!handler) throw new UnrecoverableError(`no handler for the scheduled job ${job.name}`);
    return handler();
  };
}

/**
 * Runs one empty interactive transaction when the workers start, so that the first real one does not pay for the
 * client's first use of that path. A process's first route-change transaction took 340-1,200 ms against 30-160 ms
 * for the next (a worker that takes over the routing turn of a killed holder runs exactly that first): most of the
 * handover after the lock lapsed (test/durability/routing-turn-passes-on-within-seconds-when-its-holder-is-killed).
 * Not awaited at start: an unreachable database is the health checks' to report, and the steps wait it out. Awaited by
 * `close()`: a transaction still open when the database client is closed keeps its connection checked out, and the
 * process's database stop then waited out its whole timeout (a worker stopped right after it started exited unclean).
 */
function warmTransactionPath(engine: EngineContext): Promise<void> {
  return engine.prisma.$transaction(async (tx) => tx.$queryRaw`SELECT 1`).then(
    () => undefined,
    () => undefined,
  );
}

/** Starts a worker for each queue; each worker gets its own Redis connection (BullMQ blocks on it). */
export function startEngineWorkers<Services>(options: WorkerOptions<Services>): EngineWorkers {
  const { engine } = options;
  const { settings } = engine;
  const connections: RedisConnection[] = [];
  const completed = new CompletedChildren();
  const connection = () => {
    const c = createRedisConnection(options.redisUrl, { maxRetriesPerRequest: null });
    engine.health?.watchRedisConnection(c);
    // Redis may come back without its last writes (a restart from an AOF a second behind, a failover): what was held
    // may then no longer be what it holds, so nothing held survives a lost connection.
    c.on('close', () => completed.clear());
    connections.push(c);
    return c;
  };
  const common = {
    prefix: engine.queues.prefix,
    autorun: true,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    concurrency: options.concurrency,
  };
  const steps = new Worker(QueueName.steps, stepProcessor(options, completed), { ...common, connection: connection() });
  const routing = new Worker(QueueName.routing, stepProcessor(options, completed), {
    ...common,
    lockDuration: settings.routingLockDurationMs,
    lockRenewTime: settings.routingLockRenewTimeMs,
    stalledInterval: settings.routingStalledIntervalMs,
    connection: connection(),
  });
  // Its own worker and connection, so a switch's checks are picked up while the steps worker is busy with polls.
  const switches = new Worker(QueueName.switches, stepProcessor(options, completed), { ...common, connection: connection() });
  const operations = new Worker(QueueName.operations, operationProcessor(options, completed), { ...common, connection: connection() });
  // One pass at a time is all a process needs (passes are single-flight across processes anyway, app/reconciler.ts).
  const reconciler = new Worker(QueueName.reconciler, scheduledProcessor(options.scheduled), { ...common, concurrency: 1, connection: connection() });
  const workers = [steps, routing, switches, operations, reconciler];
  const warmed = warmTransactionPath(engine);
  // Emitted once a job's value is in its parent's processed children (and its own entry as a parent is done with).
  for (const worker of [steps, routing, switches, operations]) worker.on('completed', (job: Job, result: unknown) => completed.completed(job, result));
  for (const worker of workers) {
    if (engine.health) engine.health.watchQueueClient(worker, 'worker', engine.logger.child({ queue: worker.name }));
    else worker.on('error', (err) => engine.logger.error('worker error', { queue: worker.name, error: err.message }));
  }
  return {
    workers,
    async close(force = false) {
      // A job fetch waiting for an absent Redis would hold close() until Redis came back.
      if (force) for (const c of connections) c.disconnect();
      await Promise.all(workers.map((w) => w.close(force)));
      await warmed;
      // Connections we handed in are ours to end: BullMQ only closes the ones it created.
      await Promise.all(connections.map((c) => quitRedis(c)));
    },
  };
}
