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
   * lock) is safe: the second run takes a newer fencing token, so only one of the two can commit, and the first run
   * cannot end the turn its re-run holds.
   *
   * A dead holder's lock lapses `routingLockDurationMs` after its last renewal, and BullMQ moves its job at the first
   * stall check after that. BullMQ's lock manager looks every half of `routingLockRenewTimeMs` and renews a lock older
   * than that half: every 0.25-0.5 s here. So a process must be starved for 1.25-1.5 s before its lock lapses (1-1.5 s
   * with the former 2 s lock, renewed every 0.5-1 s), a dead holder's lock lapses 1.25-1.75 s after the kill (1-2 s
   * before), and the stall check every 0.25 s (one script call per process per interval, run once per interval across
   * processes) sees it within 0.25 s (0.5 s before).
   */
  routingLockDurationMs: number;
  routingLockRenewTimeMs: number;
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
  routingLockDurationMs: 1_750,
  routingLockRenewTimeMs: 500,
  routingStalledIntervalMs: 250,
  maxStalledCount: 5,
  outageToleranceMs: 10 * 60_000,
};
