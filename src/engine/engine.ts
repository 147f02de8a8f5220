import type { AppContext } from '../context';
import type { KraneClient } from '../krane/client';
import { defaultEngineSettings, EngineDeps, EngineSettings } from './engine-deps';
import { enqueueOperation } from './enqueue-operation';
import { createEngineQueues } from './queues';
import { scheduleReconciler } from './reconciler';
import { EngineWorkers, startEngineWorkers } from './workers';

export interface Engine {
  deps: EngineDeps;
  enqueue(operationId: string): Promise<void>;
  /** Starts the workers of all queues in this process (`npm start` does; a pure API process need not). */
  startWorkers(options?: { concurrency?: number }): EngineWorkers;
  /** Registers the periodic reconciler (idempotent; the schedule lives in Redis). */
  scheduleReconciler(everyMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The façade over queues, flows, steps and workers. */
export function createEngine(ctx: AppContext, krane: KraneClient, overrides: Partial<EngineSettings> = {}, redisUrl?: string): Engine {
  const queues = createEngineQueues(ctx.redis, ctx.config.QUEUE_PREFIX);
  const deps: EngineDeps = { ...ctx, krane, queues, settings: { ...defaultEngineSettings(ctx.config), ...overrides } };
  const running: EngineWorkers[] = [];
  const url = redisUrl ?? ctx.config.REDIS_URL;
  return {
    deps,
    enqueue: (operationId) => enqueueOperation(deps, operationId),
    startWorkers(options = {}) {
      if (!url) throw new Error('startWorkers needs the Redis URL');
      const workers = startEngineWorkers(deps, { redisUrl: url, concurrency: options.concurrency ?? ctx.config.WORKER_CONCURRENCY });
      running.push(workers);
      return workers;
    },
    scheduleReconciler: (everyMs = ctx.config.RECONCILE_EVERY_MS) => scheduleReconciler(deps, everyMs),
    async close() {
      await Promise.all(running.map((w) => w.close()));
      await queues.close();
    },
  };
}
