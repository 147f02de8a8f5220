import path from 'node:path';
import { CodedError } from '../errors';
import { ApiUnreachable } from './api-client';
import { BulkLine, lineIdempotencyKeys, SourceLine, validateLine } from './bulk-file';
import type { BulkProgress } from './progress';
import { BulkReport, LineInterrupted, LineRefused, LineReport, LineResult, summarize } from './report';
import { Clock, createRateLimiter, Lanes, systemClock } from './scheduling';

/** A valid line, ready to run: its number, the line as parsed and as written, its idempotency key and its file's base name. */
export interface LineJob {
  lineNumber: number;
  line: BulkLine;
  raw: Record<string, unknown>;
  idempotencyKey: string;
  fileName: string;
}

/**
 * How lines reach the system: over the HTTP API (api-lines.ts) or straight to the database (direct-lines.ts).
 * Both refuse a line by throwing (LineRefused, or a service's typed DeployflowError); the runner reports it.
 */
export interface LineRunner {
  /** The lane of a line, i.e. its project: lines of one lane run one after another, in file order. */
  laneOf(job: LineJob, signal?: AbortSignal): Promise<string>;
  /** Runs the line, or with `dryRun` only checks it. `signal` ends waits between tries (LineInterrupted). */
  run(job: LineJob, options: { dryRun: boolean; signal?: AbortSignal }): Promise<LineResult>;
  /** Figures for the summary: answers 429 waited out, requests sent again. */
  stats?(): { rateLimited: number; retried: number };
}

export interface BulkOptions {
  /** The file the lines came from: its base name goes into the requests (`script:<name>:<line>`, request ids). */
  fileName: string;
  /** Validate and check everything, write nothing. */
  dryRun?: boolean;
  /** At most this many lines start per second; unlimited when unset. */
  rate?: number;
  /** Lines in flight at once (default 1); the lines of one project always run in file order. */
  concurrency?: number;
  progress?: BulkProgress;
  clock?: Clock;
  /** Told each line's report once, as soon as it is known: the CLI prints lines as they finish. */
  onLine?(report: LineReport): void;
  /**
   * Aborting stops the run (Ctrl-C): no further line starts, lines under way get `graceMs` (default 5 s) to finish,
   * and the report says which lines ran and which did not. The abort reason goes into the summary.
   */
  signal?: AbortSignal;
  graceMs?: number;
}

/** What became of a line whose running threw. */
function resultOfError(err: unknown): LineResult {
  if (err instanceof LineInterrupted) {
    return { outcome: 'interrupted', detail: 'stopped while waiting to try again; running the file again is safe' };
  }
  if (err instanceof LineRefused) return { outcome: 'rejected', code: err.code, message: err.message, ...err.extra };
  if (err instanceof CodedError) return { outcome: 'rejected', code: err.code, message: err.message };
  if (err instanceof ApiUnreachable) return { outcome: 'rejected', code: 'api_unreachable', message: `${err.message}; nothing is lost: the line can be run again` };
  const message = err instanceof Error ? err.message : String(err);
  return { outcome: 'rejected', code: 'internal', message: `${message} (nothing is lost: the line can be run again)` };
}

function whenAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Resolves after `ms`, or at once when `cut` is aborted; never keeps the process alive by itself. */
function graceTimer(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Runs the lines of a bulk file: each is validated, given its idempotency key, and run by `runner` (or, in a dry
 * run, checked without writing). An invalid or refused line is reported and the others still run. Returns one
 * report per line, in file order, and a summary; `onLine` hears of each line as soon as it is done.
 */
export async function runBulk(runner: LineRunner, lines: SourceLine[], options: BulkOptions): Promise<BulkReport> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const dryRun = options.dryRun ?? false;
  const fileName = path.basename(options.fileName);
  const { signal } = options;
  const limiter = createRateLimiter(options.rate, clock);
  const lanes = new Lanes(options.concurrency ?? 1);
  const reports = new Map<number, LineReport>();
  const underWay = new Map<number, Promise<void>>();
  let rejected = 0;
  let closed = false;

  const record = (report: LineReport) => {
    // Once the report is made, a line that finishes late (after the grace period) is not reported a second time.
    if (closed || reports.has(report.line)) return;
    reports.set(report.line, report);
    if (report.outcome === 'rejected') rejected += 1;
    options.progress?.update(reports.size, rejected);
    options.onLine?.(report);
  };

  options.progress?.start(lines.length);
  const validated = lines.map(validateLine);
  const keys = lineIdempotencyKeys(validated.flatMap((v) => (v.ok ? [{ lineNumber: v.source.lineNumber, text: v.source.text, workspace: v.line.workspace }] : [])));
  const ops = new Map(validated.map((v) => [v.source.lineNumber, v.ok ? v.line.op : (v.op ?? null)]));

  for (const v of validated) {
    if (signal?.aborted) break;
    const lineNumber = v.source.lineNumber;
    if (!v.ok) {
      record({ line: lineNumber, op: v.op ?? null, outcome: 'rejected', code: v.code, message: v.message, issues: v.issues });
      continue;
    }
    const op = v.line.op;
    const job: LineJob = { lineNumber, line: v.line, raw: v.raw, idempotencyKey: keys.get(lineNumber)!, fileName };
    let lane: string;
    try {
      lane = await runner.laneOf(job, signal);
    } catch (err) {
      if (err instanceof LineInterrupted) break; // only read so far: the line did not start
      record({ line: lineNumber, op, ...resultOfError(err) });
      continue;
    }
    lanes.add(lane, async () => {
      await limiter.take();
      if (signal?.aborted) return;
      const running = (async () => {
        let result: LineResult;
        try {
          result = await runner.run(job, { dryRun, signal });
        } catch (err) {
          result = resultOfError(err);
        }
        record({ line: lineNumber, op, ...result });
      })();
      underWay.set(lineNumber, running);
      await running;
      underWay.delete(lineNumber);
    });
  }
  await Promise.race([lanes.drain(), whenAborted(signal)]);
  if (signal?.aborted) await Promise.race([Promise.all(underWay.values()), graceTimer(options.graceMs ?? 5_000)]);

  for (const lineNumber of underWay.keys()) {
    record({
      line: lineNumber,
      op: ops.get(lineNumber) ?? null,
      outcome: 'interrupted',
      detail: 'under way when the run stopped: it may or may not have been applied; running the file again is safe',
    });
  }
  for (const v of validated) {
    if (!reports.has(v.source.lineNumber)) record({ line: v.source.lineNumber, op: ops.get(v.source.lineNumber) ?? null, outcome: 'not run' });
  }
  closed = true;
  options.progress?.finish();

  const sorted = [...reports.values()].sort((a, b) => a.line - b.line);
  const stoppedBy = signal?.aborted ? String(signal.reason ?? 'stopped') : null;
  return { lines: sorted, summary: summarize(sorted, { dryRun, stoppedBy, elapsedMs: clock.now() - startedAt, ...runner.stats?.() }) };
}
