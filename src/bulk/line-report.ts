import type { LineIssue } from './validate-line';

/**
 * What became of a line. A run writes `enqueued` (a new operation), `already done` (an earlier run of the same line
 * created it), `done` (cancel and rescrape act at once) or `rejected`; a dry run says `would enqueue` / `would do`.
 */
export type LineOutcome = 'enqueued' | 'already done' | 'done' | 'rejected' | 'would enqueue' | 'would do';

export interface LineReport {
  line: number;
  /** The line's `op`, when it has one. */
  op: string | null;
  outcome: LineOutcome;
  operationId?: string;
  deploymentId?: string;
  /** Rejections: a stable code (`validation_failed`, `not_found`, `deployment_not_ready` …) and a message. */
  code?: string;
  message?: string;
  issues?: LineIssue[];
  /** What was done or would be done, in words. */
  detail?: string;
}

export interface BulkSummary {
  total: number;
  enqueued: number;
  alreadyDone: number;
  done: number;
  rejected: number;
  wouldEnqueue: number;
  wouldDo: number;
  dryRun: boolean;
  elapsedMs: number;
}

export interface BulkReport {
  lines: LineReport[];
  summary: BulkSummary;
}

export function summarize(lines: LineReport[], dryRun: boolean, elapsedMs: number): BulkSummary {
  const count = (outcome: LineOutcome) => lines.filter((l) => l.outcome === outcome).length;
  return {
    total: lines.length,
    enqueued: count('enqueued'),
    alreadyDone: count('already done'),
    done: count('done'),
    rejected: count('rejected'),
    wouldEnqueue: count('would enqueue'),
    wouldDo: count('would do'),
    dryRun,
    elapsedMs,
  };
}
