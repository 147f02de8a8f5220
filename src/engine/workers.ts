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


export interface EngineWorkers {
  workers: Worker[];
  close(): Promise<void>;
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
    worker.on('error', (err) => deps.logger.error('worker error', { queue: worker.name, error: err.message }));
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      // Connections we handed in are ours to end: BullMQ only closes the ones it created.
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
