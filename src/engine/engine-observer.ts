/**
 * What the engine reports as it runs, for whoever wants to measure it (deployflow's metrics). The engine is handed an
 * observer, as it is handed its flows: it never imports the application's metrics. Every call is synchronous and must
 * not throw or wait: it runs on the hot path of every step, after the state it reports was committed.
 *
 * Only the names the flows define (their kind, their steps' names) are reported, never an id: what is reported may
 * become a metric label, and labels must stay a small, fixed set.
 */
export interface EngineObserver {
  /** A step ended for good; `durationMs` from its first start (retries and polling included), when known. */
  stepEnded(event: StepEnded): void;
  /** An operation ended (reported once, by the write that ended it); `durationMs` from its acceptance, when known. */
  operationEnded(event: OperationEnded): void;
}

export interface StepEnded {
  kind: string;
  step: string;
  queue: string;
  result: 'succeeded' | 'failed' | 'cancelled';
  durationMs: number | undefined;
}

export interface OperationEnded {
  kind: string;
  /**
   * `rolled_forward`: it succeeded, completed by a roll-forward after its route change committed. `superseded`: stopped
   * before its point of no return because a newer operation made it pointless.
   */
  result: 'succeeded' | 'failed' | 'cancelled' | 'superseded' | 'rolled_forward';
  durationMs: number | undefined;
}

/** Reports nothing. */
export const noEngineObserver: EngineObserver = { stepEnded: () => undefined, operationEnded: () => undefined };
