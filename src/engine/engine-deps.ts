import type { AppContext } from '../context';
import type { OperationEvents } from '../events/operation-events';
import type { KraneClient } from '../krane/client';
import type { EngineQueues } from './queues';

/** Tunables of the engine; defaults come from the config, tests shorten them. */
export interface EngineSettings {
  pollIntervalMs: number;
  pollDeadlineMs: number;
  /** Attempts of a step before a retryable error becomes final. */
  stepAttempts: number;
  /** First backoff delay; doubles on each attempt. */
  backoffMs: number;
  /** How long a routing job sleeps between looks at its project's turn (a finishing job wakes the next one at once). */
  routingTurnCheckMs: number;
  /** Timeout of one health check / OpenAPI fetch against an instance. */
  instanceHttpTimeoutMs: number;
  openapiMaxBytes: number;
  /** BullMQ lock of an active job, and how often stalled jobs (their worker died) are looked for. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /**
   * The same for the routing queue, much shorter: a routing job holds its project's turn, and every later switch of the
   * project waits behind it. If its worker dies (kill -9), the turn passes on once BullMQ sees the lock gone and runs
   * the job again elsewhere: within lock + interval, not 30 s. A false stall (an event loop blocked for longer than the
   * lock) is safe: the second run takes a newer fencing token, so only one of the two can commit.
   */
  routingLockDurationMs: number;
  routingStalledIntervalMs: number;
  /** How often a job may stall (its worker died) before BullMQ fails it; every step is idempotent, so several. */
  maxStalledCount: number;
  /** How long a step waits out an unreachable database, without spending attempts, before counting failures again. */
  outageToleranceMs: number;
  /** Record start/end of every routing run in Redis (serialization proofs). */
  traceRouting: boolean;
}

export function defaultEngineSettings(config: AppContext['config']): EngineSettings {
  return {
    pollIntervalMs: config.POLL_INTERVAL_MS,
    pollDeadlineMs: config.POLL_DEADLINE_MS,
    stepAttempts: 5,
    backoffMs: 500,
    routingTurnCheckMs: 500,
    instanceHttpTimeoutMs: 5_000,
    openapiMaxBytes: 5 * 1024 * 1024,
    traceRouting: false,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    routingLockDurationMs: 2_000,
    routingStalledIntervalMs: 500,
    maxStalledCount: 5,
    outageToleranceMs: 10 * 60_000,
  };
}

/** What a step processor may use. */
export interface EngineDeps extends AppContext {
  krane: KraneClient;
  queues: EngineQueues;
  settings: EngineSettings;
  /** Every operation, step and deployment state write is announced here once it committed (`src/events`). */
  events: OperationEvents;
}

/** What the functions that write operation, step and deployment state need: the database, and where to announce. */
export type StateWriter = Pick<EngineDeps, 'prisma' | 'events'>;
