import type { RedisConnection } from '../src/redis/connection';
import type { Db } from '../src/db/prisma';
import type { Sql } from '../src/db/sql';
import { stepsFor } from '../src/engine/define-step';
import type { StateEvents } from '../src/engine/state-events';
import type { KraneClient } from '../src/krane/client';
import type { Logger } from '../src/logger';
import type { CanaryWeightJobData, DeployJobData, HealthWatchJobData, ReleaseJobData, SwitchJobData, UndoJobData } from '../src/operations/operation-jobs';
import type { RoutingTurnObserver } from '../src/routing/routing-step';

/** Tunables of the steps (the engine's own are in EngineSettings); defaults come from the config, tests shorten them. */
export interface StepSettings {
  pollIntervalMs: number;
  pollDeadlineMs: number;
  /** How long a routing job sleeps between looks at its project's turn (a finishing job wakes the next one at once). */
  routingTurnCheckMs: number;
  /** Timeout of one health check / OpenAPI fetch against an instance. */
  instanceHttpTimeoutMs: number;
  openapiMaxBytes: number;
  /** Record start/end of every routing run in Redis (serialization proofs). */
  traceRouting: boolean;
}

/** What the steps of deployflow's flows work with: handed to the engine, which passes it to every step. */
export interface Services {
  prisma: Db;
  /**
   * The same database past Prisma's client runtime (src/db/sql.ts, `Database.sql`): a deploy's own statements (its
   * status moves, instances, routing gate, latest wins, live-state reads) go here.
   */
  sql: Sql;
  /** A shared connection for commands (not for blocking reads or subscriptions). */
  redis: RedisConnection;
  /** The engine's key prefix: routing turns, route versions and traces live under it. */
  prefix: string;
  krane: KraneClient;
  /** The apex under which hostnames are generated (APEX_DOMAIN). */
  apex: string;
  settings: StepSettings;
  logger: Logger;
  /** Where a step announces the deployment status it moved (the engine announces its own rows itself). */
  events: StateEvents;
  /** Who measures routing steps' waits for their project's turn (the process's metrics); absent: nobody. */
  turnObserver?: RoutingTurnObserver;
  /**
   * Puts an operation a step recorded on the queues (a release's weight changes, a health watch's rollback), at once
   * rather than at the reconciler's next pass. Set by the composition root once the engine exists.
   */
  operations: { enqueue(operationId: string): Promise<void> };
}

/** Step makers per kind of operation: each infers a step's inputs, state and output from its definition. */
export const deployStep = stepsFor<Services, DeployJobData>();
export const switchStep = stepsFor<Services, SwitchJobData>();
export const undoStep = stepsFor<Services, UndoJobData>();
export const releaseStep = stepsFor<Services, ReleaseJobData>();
export const canaryWeightStep = stepsFor<Services, CanaryWeightJobData>();
export const healthWatchStep = stepsFor<Services, HealthWatchJobData>();
