import type { AppContext } from '../context';
import { createEngine, createProducerEngine, type ProducerEngine } from '../engine/engine';
import type { KnownOperation, OperationProducer } from '../engine/producer';
import { redisStateEvents, type StateEvents } from '../engine/state-events';
import type { EngineWorkers } from '../engine/workers';
import type { KraneClient } from '../krane/client';
import type { Services } from '../../processors/services';
import { DEPLOYFLOW_FLOWS } from '../../flows';
import type { DeployflowDeps } from './deployflow-deps';
import { RECONCILE_JOB, reconcileOnce } from './reconciler';
import { defaultSettings, type Settings } from './settings';

export type { DeployflowDeps };

/** The engine with deployflow's flows and services: what `npm start`, `npm run worker` and the tests run. */
export interface DeployflowEngine {
  deps: DeployflowDeps;
  producer: OperationProducer;
  enqueue(operationId: string, known?: KnownOperation): Promise<void>;
  /** Starts the workers of all queues in this process. */
  startWorkers(options?: { concurrency?: number }): EngineWorkers;
  /** Registers the periodic reconciler (idempotent; the schedule lives in Redis). */
  scheduleReconciler(everyMs?: number): Promise<void>;
  close(options?: { force?: boolean }): Promise<void>;
}

/** The composition of one engine: configuration and connections → services → the engine with every flow. */
export function createDeployflowEngine(ctx: AppContext, krane: KraneClient, overrides: Partial<Settings> = {}, redisUrl?: string): DeployflowEngine {
  const settings: Settings = { ...defaultSettings(ctx.config), ...overrides };
  // One publisher for the engine's operation and step rows and the steps' deployment statuses: same channels.
  const events = stateEvents(ctx);
  const services: Services = {
    prisma: ctx.prisma,
    sql: ctx.db.sql,
    redis: ctx.redis,
    prefix: ctx.config.QUEUE_PREFIX,
    krane,
    apex: ctx.config.APEX_DOMAIN,
    settings,
    logger: ctx.logger,
    events,
    turnObserver: ctx.metrics?.engine,
    // Steps that record operations (a release's weight changes) enqueue them through the engine made just below.
    operations: { enqueue: (operationId) => engine.producer.enqueue(operationId) },
  };
  // The reconciler runs as a scheduled job of the engine's own workers; it needs the deps built just below (a
  // scheduled job only runs once workers start, after this function returned).
  const engine = createEngine({
    prisma: ctx.prisma,
    sql: ctx.db.sql,
    redis: ctx.redis,
    redisUrl: redisUrl ?? ctx.config.REDIS_URL,
    prefix: ctx.config.QUEUE_PREFIX,
    logger: ctx.logger,
    health: ctx.health,
    settings,
    flows: DEPLOYFLOW_FLOWS,
    events,
    observer: ctx.metrics?.engine,
    services,
    scheduled: { [RECONCILE_JOB]: () => reconcileOnce(deps) },
  });
  const deps: DeployflowDeps = { ...services, settings, queues: engine.context.queues, engine };
  return {
    deps,
    producer: engine.producer,
    enqueue: (operationId, known) => engine.producer.enqueue(operationId, known),
    startWorkers: (options = {}) => engine.startWorkers({ concurrency: options.concurrency ?? ctx.config.WORKER_CONCURRENCY }),
    scheduleReconciler: (everyMs = ctx.config.RECONCILE_EVERY_MS) => engine.schedule(RECONCILE_JOB, everyMs),
    close: (options) => engine.close(options),
  };
}

/** Only the producer side, for a process that starts operations but runs no steps (the bulk script, API-only tests). */
export function createDeployflowProducer(ctx: AppContext, overrides: Partial<Settings> = {}): ProducerEngine {
  return createProducerEngine({
    prisma: ctx.prisma,
    sql: ctx.db.sql,
    redis: ctx.redis,
    prefix: ctx.config.QUEUE_PREFIX,
    logger: ctx.logger,
    health: ctx.health,
    settings: { ...defaultSettings(ctx.config), ...overrides },
    flows: DEPLOYFLOW_FLOWS,
    events: stateEvents(ctx),
  });
}

/** Where committed state changes are announced: the context's own (tests), else PUBLISH under the queue prefix. */
function stateEvents(ctx: AppContext): StateEvents {
  return ctx.events ?? redisStateEvents(ctx.redis, ctx.config.QUEUE_PREFIX, ctx.logger.child({ component: 'state-events' }));
}
