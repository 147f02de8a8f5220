/** Tunables of the engine itself; the application's own step settings live beside its steps. */
export interface EngineSettings {
  /** Attempts of a step before a retryable error becomes final. */
  stepAttempts: number;
  /** First backoff delay; doubles on each attempt. */
  backoffMs: number;
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
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  stepAttempts: 5,
  backoffMs: 500,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  routingLockDurationMs: 2_000,
  routingStalledIntervalMs: 500,
  maxStalledCount: 5,
  outageToleranceMs: 10 * 60_000,
};
