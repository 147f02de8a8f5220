import { Format, MultiBar, Options, Params } from 'cli-progress';
import { Clock, systemClock } from './scheduling';

/** Told about the run as it goes. */
export interface BulkProgress {
  start(total: number): void;
  /** After each finished line (rejected ones included). */
  update(done: number, rejected: number): void;
  finish(): void;
}

/** Progress on stderr, and the rows of finished lines on stdout, kept apart from each other on one terminal. */
export interface RunDisplay extends BulkProgress {
  /** Prints a finished line's row (ending in a newline): above the bar on a terminal, as it is elsewhere. */
  print(row: string): void;
}

export interface OutputStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `done/total`, the rate so far and the time left at that rate (`ETA ?` until there is a rate). */
export function describeProgress(done: number, total: number, rejected: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = done >= total ? 'done' : rate > 0 ? `ETA ${duration(((total - done) / rate) * 1000)}` : 'ETA ?';
  const rejectedPart = rejected > 0 ? `, ${rejected} rejected` : '';
  return `${done}/${total} lines${rejectedPart}, ${rate.toFixed(1)}/s, ${eta}`;
}

/**
 * On a terminal: a cli-progress bar redrawn in place (ten times a second at most), with finished lines' rows printed
 * above it when stdout is that terminal too. Otherwise (a log file, CI): a plain line at most every `everyMs` and a
 * last one at the end, so logs show progress without a line per operation; rows go to stdout as they are.
 */
export function createRunDisplay(progress: OutputStream, rows: OutputStream, options: { everyMs?: number; clock?: Clock } = {}): RunDisplay {
  return progress.isTTY ? terminalBar(progress, rows) : plainProgress(progress, rows, options);
}

function terminalBar(stream: OutputStream, rows: OutputStream): RunDisplay {
  let rejected = 0;
  const format = (options: Options, params: Params) => {
    const elapsed = (params.stopTime ?? Date.now()) - params.startTime;
    return `[${Format.BarFormat(params.progress, options)}] ${describeProgress(params.value, params.total, rejected, elapsed)}`;
  };
  // Cursor left visible and no signal handlers of its own: the run handles Ctrl-C and always finishes the bar.
  const bars = new MultiBar({
    stream: stream as NodeJS.WritableStream,
    format,
    barsize: 24,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    hideCursor: false,
    gracefulExit: false,
    clearOnComplete: false,
  });
  let bar: ReturnType<MultiBar['create']> | undefined;
  return {
    start(total) {
      bar = bars.create(total, 0);
    },
    update(done, rejectedSoFar) {
      rejected = rejectedSoFar;
      bar?.update(done);
    },
    print(row) {
      if (rows.isTTY && bar) bars.log(row);
      else rows.write(row);
    },
    finish() {
      bars.update(); // writes rows still waiting above the bar
      bars.stop();
      bar = undefined;
    },
  };
}

function plainProgress(stream: OutputStream, rows: OutputStream, options: { everyMs?: number; clock?: Clock }): RunDisplay {
  const clock = options.clock ?? systemClock;
  const everyMs = options.everyMs ?? 2_000;
  let total = 0;
  let startedAt = 0;
  let lastDrawAt = 0;
  let drawnDone = -1;
  let last = { done: 0, rejected: 0 };
  const draw = () => {
    stream.write(`enqueue: ${describeProgress(last.done, total, last.rejected, clock.now() - startedAt)}\n`);
    lastDrawAt = clock.now();
    drawnDone = last.done;
  };
  return {
    start(n) {
      total = n;
      startedAt = clock.now();
      lastDrawAt = startedAt;
    },
    update(done, rejected) {
      last = { done, rejected };
      if (clock.now() - lastDrawAt >= everyMs) draw();
    },
    print(row) {
      rows.write(row);
    },
    finish() {
      // A log already ending with the last count needs no second copy of it.
      if (drawnDone !== last.done) draw();
    },
  };
}
