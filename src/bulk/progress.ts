import { Clock, systemClock } from './clock';

/** Told about the run as it goes; the CLI draws it on stderr. */
export interface BulkProgress {
  start(total: number): void;
  /** After each finished line (rejected ones included). */
  update(done: number, rejected: number): void;
  finish(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
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
 * On a terminal: one bar redrawn in place (at most ten times a second). Otherwise (a log file, CI): a plain line at
 * most every `everyMs`, and a last one at the end, so logs show progress without a line per operation.
 */
export function createProgress(stream: ProgressStream, options: { everyMs?: number; clock?: Clock } = {}): BulkProgress {
  const clock = options.clock ?? systemClock;
  const everyMs = options.everyMs ?? 2_000;
  let total = 0;
  let startedAt = 0;
  let lastDrawAt = 0;
  let drawnDone = -1;
  let last = { done: 0, rejected: 0 };

  const bar = (done: number) => {
    const width = 24;
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  };
  const draw = (final: boolean) => {
    const text = describeProgress(last.done, total, last.rejected, clock.now() - startedAt);
    if (stream.isTTY) {
      stream.write(`\r\x1b[K${bar(last.done)} ${text}${final ? '\n' : ''}`);
    } else {
      stream.write(`enqueue: ${text}\n`);
    }
    lastDrawAt = clock.now();
    drawnDone = last.done;
  };

  return {
    start(n) {
      total = n;
      startedAt = clock.now();
      if (stream.isTTY) draw(false);
      lastDrawAt = startedAt;
    },
    update(done, rejected) {
      last = { done, rejected };
      if (clock.now() - lastDrawAt >= (stream.isTTY ? 100 : everyMs)) draw(false);
    },
    finish() {
      // A log already ending with the last count needs no second copy of it; a bar needs its closing newline.
      if (!stream.isTTY && drawnDone === last.done) return;
      draw(true);
    },
  };
}
