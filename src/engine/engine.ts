import type { AppContext } from '../context';
import { redisOperationEvents } from '../events/operation-events';
import { OperationWatcher } from '../events/operation-watcher';
import type { KraneClient } from '../krane/client';
import { DependencyHealth } from '../services/dependency-health';
import { defaultEngineSettings, EngineDeps, EngineSettings } from './engine-deps';
import { enqueueOperation } from './enqueue-operation';
import { createEngineQueues } from './queues';
import { scheduleReconciler } from './reconciler';
import { EngineWorkers, startEngineWorkers } from './workers';

export interface Engine {
  deps: EngineDeps;
  enqueue(operationId: string): Promise<void>;
  /** This process's one watcher of operation events: `?wait`, gRPC waits and event streams wait through it. */
  watcher: OperationWatcher;
  /** Starts the workers of all queues in this process (`npm start` does; a pure API process need not). */
  startWorkers(options?: { concurrency?: number }): EngineWorkers;
  /** Registers the periodic reconciler (idempotent; the schedule lives in Redis). */
  scheduleReconciler(everyMs?: number): Promise<void>;
  /**
   * Stops the workers (waiting for jobs in flight), the watcher's subscriber connection and the queues. `force`: do
   * not wait for jobs in flight, for when Redis is gone and nothing would ever finish; their jobs stall and run again
   * elsewhere (steps are idempotent).
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/** The façade over queues, flows, steps and workers. */
export function createEngine(ctx: AppContext, krane: KraneClient, overrides: Partial<EngineSettings> = {}, redisUrl?: string): Engine {
  const queues = createEngineQueues(ctx.redis, ctx.config.QUEUE_PREFIX);
  // Every BullMQ client gets an error listener: without one, each reconnect attempt during a Redis outage is printed
  // as a bare stack trace. Connection errors become one log line per outage.
  const health = ctx.health ?? new DependencyHealth(ctx.logger);
  for (const client of [...queues.all(), queues.flows]) health.watchQueueClient(client, 'queue client', ctx.logger);
  const prefix = ctx.config.QUEUE_PREFIX;
  const events = ctx.events ?? redisOperationEvents(ctx.redis, prefix, ctx.logger.child({ component: 'operation-events' }));
  const deps: EngineDeps = { ...ctx, health, krane, queues, events, settings: { ...defaultEngineSettings(ctx.config), ...overrides } };
  const watcher = new OperationWatcher({
    prefix,
    logger: ctx.logger.child({ component: 'operation-watcher' }),
    connect() {
      // Its own connection: one in subscriber mode serves nothing else. Named with the prefix, for CLIENT LIST.
      const connectionName = `deployflow:operation-events:${prefix}`;
      const subscriber = ctx.redis.duplicate({ connectionName, maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false });
      health.watchRedisConnection(subscriber);
      return subscriber;
    },
  });
  const running: EngineWorkers[] = [];
  const url = redisUrl ?? ctx.config.REDIS_URL;
  return {
    deps,
    enqueue: (operationId) => enqueueOperation(deps, operationId),
    watcher,
    startWorkers(options = {}) {
      if (!url) throw new Error('startWorkers needs the Redis URL');
      const workers = startEngineWorkers(deps, { redisUrl: url, concurrency: options.concurrency ?? ctx.config.WORKER_CONCURRENCY });
      running.push(workers);
      return workers;
    },
    scheduleReconciler: (everyMs = ctx.config.RECONCILE_EVERY_MS) => scheduleReconciler(deps, everyMs),
    async close(options = {}) {
      await Promise.all(running.map((w) => w.close(options.force)));
      await watcher.close();
      await queues.close();
    },
  };
}
