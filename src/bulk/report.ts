import type { LineIssue } from './bulk-file';

/**
 * What became of a line. A run writes `enqueued` (a new operation), `already done` (an earlier run of the same line
 * did it), `done` (cancel and rescrape act at once) or `rejected`; a dry run says `would enqueue` / `would do`. A run
 * stopped by Ctrl-C reports `interrupted` for a line that was under way and did not finish in time (it may or may not
 * have been applied) and `not run` for a line it never started.
 */
export type LineOutcome = 'enqueued' | 'already done' | 'done' | 'rejected' | 'would enqueue' | 'would do' | 'interrupted' | 'not run';

export interface LineReport {
  line: number;
  /** The line's `op`, when it has one. */
  op: string | null;
  outcome: LineOutcome;
  operationId?: string;
  deploymentId?: string;
  /** Rejections: a stable code (`validation_failed`, `not_found`, `forbidden` …) and a message. */
  code?: string;
  message?: string;
  /** Rejections by the HTTP API: the status it answered. */
  status?: number;
  issues?: LineIssue[];
  /** What was done or would be done, in words. */
  detail?: string;
}

/** The part of a line's report that running the line decides. */
export type LineResult = Omit<LineReport, 'line' | 'op'>;

/** A line the system refused (over HTTP: the API's error, with its status). Becomes a `rejected` line, never a crash. */
export class LineRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extra: { status?: number; issues?: LineIssue[] } = {},
  ) {
    super(message);
    this.name = 'LineRefused';
  }
}

/** The run was interrupted while this line was waiting to try again: it is reported `interrupted`. */
export class LineInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'LineInterrupted';
  }
}

export interface BulkSummary {
  total: number;
  enqueued: number;
  alreadyDone: number;
  done: number;
  rejected: number;
  wouldEnqueue: number;
  wouldDo: number;
  interrupted: number;
  notRun: number;
  dryRun: boolean;
  /** Why the run stopped before every line ran (`Ctrl-C` …), or null when it ran to the end. */
  stoppedBy: string | null;
  /** Answers 429 (too many requests) that were waited out: not failures. */
  rateLimited: number;
  /** Requests sent again after a 5xx answer or a connection failure. */
  retried: number;
  elapsedMs: number;
}

export interface BulkReport {
  lines: LineReport[];
  summary: BulkSummary;
}

export function summarize(
  lines: LineReport[],
  run: { dryRun: boolean; stoppedBy: string | null; elapsedMs: number; rateLimited?: number; retried?: number },
): BulkSummary {
  const count = (outcome: LineOutcome) => lines.filter((l) => l.outcome === outcome).length;
  return {
    total: lines.length,
    enqueued: count('enqueued'),
    alreadyDone: count('already done'),
    done: count('done'),
    rejected: count('rejected'),
    wouldEnqueue: count('would enqueue'),
    wouldDo: count('would do'),
    interrupted: count('interrupted'),
    notRun: count('not run'),
    dryRun: run.dryRun,
    stoppedBy: run.stoppedBy,
    rateLimited: run.rateLimited ?? 0,
    retried: run.retried ?? 0,
    elapsedMs: run.elapsedMs,
  };
}

function outcomeText(l: LineReport): string {
  switch (l.outcome) {
    case 'rejected':
      return `rejected ${l.status ? `${l.status} ` : ''}${l.code}: ${l.message}`;
    case 'interrupted':
    case 'not run':
    case 'enqueued':
    case 'already done':
    case 'would enqueue':
    case 'done':
    case 'would do': {
      const ids = [l.operationId, l.deploymentId && `deployment ${l.deploymentId}`].filter(Boolean).join(', ');
      return [l.outcome, ids, l.detail && `- ${l.detail}`].filter(Boolean).join(' ');
    }
  }
}

export function summaryText(s: BulkSummary): string {
  const parts: Array<[number, string]> = [
    [s.enqueued, 'enqueued'],
    [s.alreadyDone, 'already done'],
    [s.done, 'done'],
    [s.wouldEnqueue, 'would enqueue'],
    [s.wouldDo, 'would do'],
    [s.rejected, 'rejected'],
    [s.interrupted, 'interrupted'],
    [s.notRun, 'not run'],
  ];
  const counts = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  const waits = [
    s.rateLimited > 0 ? `${s.rateLimited} rate-limited answer(s) waited out` : '',
    s.retried > 0 ? `${s.retried} request(s) retried` : '',
  ].filter(Boolean);
  const notes = [s.dryRun ? 'dry run: nothing written' : '', s.stoppedBy ? `stopped: ${s.stoppedBy}` : ''].filter(Boolean);
  return (
    `${s.total} line(s)${notes.length ? ` (${notes.join('; ')})` : ''}: ${counts.join(', ') || 'nothing to do'} ` +
    `in ${(s.elapsedMs / 1000).toFixed(1)}s${waits.length ? `; ${waits.join(', ')}` : ''}`
  );
}

/** `1-3, 5, 9-12`: the line numbers of lines not run, short enough for a file of thousands of lines. */
export function lineRanges(numbers: number[]): string {
  const sorted = [...numbers].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j += 1;
    ranges.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

/**
 * Formats report rows for people, `line N  op  outcome`, with columns as wide as the file needs (known before any
 * line runs, so rows printed as they finish line up).
 */
export function rowFormatter(lines: Array<{ lineNumber: number; op: string | null }>): (l: LineReport) => string {
  const width = Math.max(4, ...lines.map((l) => String(l.lineNumber).length));
  const opWidth = Math.max(2, ...lines.map((l) => (l.op ?? '?').length));
  return (l) => `line ${String(l.line).padStart(width)}  ${(l.op ?? '?').padEnd(opWidth)}  ${outcomeText(l)}`;
}

/** The whole report as text: one row per line in file order, then the summary. */
export function formatReportText(report: BulkReport): string {
  const row = rowFormatter(report.lines.map((l) => ({ lineNumber: l.line, op: l.op })));
  return [...report.lines.map(row), summaryText(report.summary)].join('\n') + '\n';
}

/** `--json`: one JSON object per line of the file, then `{"summary":{…}}`. */
export function formatReportJsonl(report: BulkReport): string {
  return [...report.lines.map((l) => JSON.stringify(l)), JSON.stringify({ summary: report.summary })].join('\n') + '\n';
}
