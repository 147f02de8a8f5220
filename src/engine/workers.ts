import { Job, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { STEP_MODULES } from '../../processors';
import { runCompensation } from './compensation-runner';
import type { EngineDeps } from './engine-deps';
import type { OperationJobData, StepJobData } from './job-data';
import { completeOperation } from './operation-completion';
import { QueueName } from './queue-names';
import { reconcileOnce, RECONCILE_JOB } from './reconciler';
import { COMPENSATE_STEP } from './step-names';
import { runStep } from './step-runner';
import { quitRedis } from '../services/quit-redis';

export interface EngineWorkers {
  workers: Worker[];
  /** `force`: end the connections first and do not wait for jobs in flight (Redis is gone: they could not finish). */
  close(force?: boolean): Promise<void>;
}

export interface WorkerOptions {
  redisUrl: string;
  concurrency: number;
}

function dispatchStep(deps: EngineDeps) {
  return async (job: Job, token?: string) => {
    if (job.name === COMPENSATE_STEP) return runCompensation(deps, job);
    const module = STEP_MODULES.get(job.name);
    if (!module) throw new Error(`no step module named ${job.name}`);
    return runStep(deps, module, job as Job<StepJobData>, token!);
  };
}

/** Starts a worker for each queue; each worker gets its own Redis connection (BullMQ blocks on it). */
export function startEngineWorkers(deps: EngineDeps, options: WorkerOptions): EngineWorkers {
  const connections: IORedis[] = [];
  const connection = () => {
    const c = new IORedis(options.redisUrl, { maxRetriesPerRequest: null });
    deps.health?.watchRedisConnection(c);
    connections.push(c);
    return c;
  };
  const common = { prefix: deps.queues.prefix, autorun: true, lockDuration: deps.settings.lockDurationMs, stalledInterval: deps.settings.stalledIntervalMs, maxStalledCount: deps.settings.maxStalledCount };
  const steps = new Worker(QueueName.steps, dispatchStep(deps), { ...common, connection: connection(), concurrency: options.concurrency });
  const routing = new Worker(QueueName.routing, dispatchStep(deps), {
    ...common,
    lockDuration: deps.settings.routingLockDurationMs,
    stalledInterval: deps.settings.routingStalledIntervalMs,
    connection: connection(),
    concurrency: options.concurrency,
  });
  const operations = new Worker(
    QueueName.operations,
    async (job: Job) => {
      if (job.name === RECONCILE_JOB) return reconcileOnce(deps);
      return completeOperation(deps, job as Job<OperationJobData>);
    },
    { ...common, connection: connection(), concurrency: options.concurrency },
  );
  const workers = [steps, routing, operations];
  for (const worker of workers) {
    if (deps.health) deps.health.watchQueueClient(worker, 'worker', deps.logger.child({ queue: worker.name }));
    else worker.on('error', (err) => deps.logger.error('worker error', { queue: worker.name, error: err.message }));
  }
  return {
    workers,
    async close(force = false) {
      // A job fetch waiting for an absent Redis would hold close() until Redis came back.
      if (force) for (const c of connections) c.disconnect();
      await Promise.all(workers.map((w) => w.close(force)));
      // Connections we handed in are ours to end: BullMQ only closes the ones it created.
      await Promise.all(connections.map((c) => quitRedis(c)));
    },
  };
}
