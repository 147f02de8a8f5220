import type { AppContext } from '../context';
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
  /** Lease of a routing job on its project; renewed while it runs. */
  routingLeaseMs: number;
  /** Timeout of one health check / OpenAPI fetch against an instance. */
  instanceHttpTimeoutMs: number;
  openapiMaxBytes: number;
  /** BullMQ lock of an active job, and how often stalled jobs (their worker died) are looked for. */
  lockDurationMs: number;
  stalledIntervalMs: number;
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
    routingLeaseMs: 30_000,
    instanceHttpTimeoutMs: 5_000,
    openapiMaxBytes: 5 * 1024 * 1024,
    traceRouting: false,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    maxStalledCount: 5,
    outageToleranceMs: 10 * 60_000,
  };
}

/** What a step processor may use. */
export interface EngineDeps extends AppContext {
  krane: KraneClient;
  queues: EngineQueues;
  settings: EngineSettings;
}
