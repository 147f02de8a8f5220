import type { RedisConnection } from '../redis/connection';
import type { Db } from '../db/prisma';
import { prismaSql, type Sql } from '../db/sql';
import type { Logger } from '../logger';
import type { DependencyHealth } from '../services/dependency-health';
import type { AnyFlow } from './define-flow';
import type { EngineContext } from './engine-context';
import { noEngineObserver, type EngineObserver } from './engine-observer';
import { FlowRegistry } from './flow-registry';
import { healFlows, type FlowHealingReport } from './flow-healing';
import { createOperationProducer, type OperationProducer } from './producer';
import { createEngineQueues } from './queues';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from './settings';
import { redisStateEvents, type StateEvents } from './state-events';
import { startEngineWorkers, type EngineWorkers, type ScheduledJobHandlers } from './workers';

export interface EngineOptions {
  prisma: Db;
  /**
   * The same database past Prisma's client runtime (`Database.sql`), for the statements of every step. Absent: they go
   * through `prisma`, at about twice the CPU each.
   */
  sql?: Sql;
  /** A shared connection for commands; workers open connections of their own from `redisUrl`. */
  redis: RedisConnection;
  redisUrl?: string;
  /** Key prefix of every queue; braces make it a Redis Cluster hash tag. */
  prefix: string;
  logger: Logger;
  health?: DependencyHealth;
  settings?: Partial<EngineSettings>;
  /** The kinds of operation the engine runs: their steps, in order, and their hooks. */
  flows: readonly AnyFlow[];
  /**
   * Where operation and step changes are announced once committed. Absent: PUBLISH on `redis` under `prefix`
   * (the composition root passes the one it also hands the application's services).
   */
  events?: StateEvents;
  /** Who measures steps and operations as they end (the application's metrics); absent: nobody. */
  observer?: EngineObserver;
}

/** The producer side only: enqueue operations, show the queues. No workers, no application services. */
export interface ProducerEngine {
  context: EngineContext;
  flows: FlowRegistry;
  producer: OperationProducer;
  /**
   * Registers a job the workers run every `everyMs` (a BullMQ job scheduler in the reconciler queue: one run each
   * time; idempotent, the schedule lives in Redis). A process without workers may register it: the workers of any
   * process that has the handler run it.
   */
  schedule(name: string, everyMs: number): Promise<void>;
  close(): Promise<void>;
}

/** The whole engine: the producer, and workers that run the steps with the application's services. */
export interface Engine<Services> extends ProducerEngine {
  services: Services;
  /** Starts the workers of all queues in this process (`npm start` does; a pure API process need not). */
  startWorkers(options: { concurrency: number }): EngineWorkers;
  /** Heals operations whose flows were lost or failed unseen (see flow-healing.ts). */
  healFlows(now?: number): Promise<FlowHealingReport>;
  /**
   * Stops the workers (waiting for jobs in flight) and the queues. `force`: do not wait for jobs in flight, for when
   * Redis is gone and nothing would ever finish; their jobs stall and run again elsewhere (steps are idempotent).
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/**
 * The producer side of the engine (SPEC §5): queues and flows, no workers. What an API process or the bulk script
 * needs to start operations.
 */
export function createProducerEngine(options: EngineOptions): ProducerEngine {
  const queues = createEngineQueues(options.redis, options.prefix);
  // Every BullMQ client gets an error listener: without one, each reconnect attempt during a Redis outage is printed
  // as a bare stack trace. Connection errors become one log line per outage.
  const onError = (err: Error) => options.logger.error('queue client error', { error: err.message });
  for (const queue of queues.all()) {
    if (options.health) options.health.watchQueueClient(queue, 'queue client', options.logger);
    else queue.on('error', onError);
  }
  if (options.health) options.health.watchQueueClient(queues.flows, 'flow producer', options.logger);
  else queues.flows.on('error', onError);
  const context: EngineContext = {
    prisma: options.prisma,
    sql: options.sql ?? prismaSql(options.prisma),
    redis: options.redis,
    queues,
    settings: { ...DEFAULT_ENGINE_SETTINGS, ...options.settings },
    logger: options.logger,
    health: options.health,
    events: options.events ?? redisStateEvents(options.redis, options.prefix, options.logger.child({ component: 'state-events' })),
    observer: options.observer ?? noEngineObserver,
  };
  const flows = new FlowRegistry(options.flows);
  return {
    context,
    flows,
    producer: createOperationProducer(context, flows),
    async schedule(name, everyMs) {
      await queues.reconciler.upsertJobScheduler(name, { every: everyMs }, { name, opts: { removeOnComplete: 100, removeOnFail: 100 } });
      // Older versions scheduled it in the operations queue: that schedule would keep adding jobs there (which the
      // operations worker now completes without running them, workers.ts).
      await queues.operations.removeJobScheduler(name);
    },
    close: () => queues.close(),
  };
}

/**
 * The engine as a library: it is handed its flows (and through them its steps) and the services those steps use,
 * and knows nothing of what the steps do. The application's composition root builds it (src/app/).
 */
export function createEngine<Services>(options: EngineOptions & { services: Services; scheduled?: ScheduledJobHandlers }): Engine<Services> {
  const producerSide = createProducerEngine(options);
  const { context, flows, producer } = producerSide;
  const running: EngineWorkers[] = [];
  return {
    ...producerSide,
    services: options.services,
    startWorkers({ concurrency }) {
      if (!options.redisUrl) throw new Error('startWorkers needs the Redis URL');
      const workers = startEngineWorkers({ engine: context, services: options.services, flows, redisUrl: options.redisUrl, concurrency, scheduled: options.scheduled ?? {} });
      running.push(workers);
      return workers;
    },
    async schedule(name, everyMs) {
      if (!options.scheduled?.[name]) throw new Error(`no handler for the scheduled job ${name}`);
      await producerSide.schedule(name, everyMs);
    },
    healFlows: (now) => healFlows(context, options.services, flows, producer, now),
    async close(closeOptions = {}) {
      await Promise.all(running.map((w) => w.close(closeOptions.force)));
      await producerSide.close();
    },
  };
}

