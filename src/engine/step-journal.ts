import type { Job } from 'bullmq';
import type { Logger } from '../logger';

/** What a step shows of how far it is, as the job's progress (the dashboard's Progress tab shows it as JSON). */
export interface StepProgress {
  /** 0–100. */
  percent?: number;
  [figure: string]: number | string | undefined;
}

/**
 * A step job's journal on the dashboard: its log lines (`job.log`, the Logs tab) and its progress
 * (`job.updateProgress`, the Progress tab). Writes are queued in order and never awaited by the step: a journal line
 * must never slow a step down or fail it, so a write that fails is logged and dropped. `flush()` waits for what is
 * queued, so a finished job carries all of its lines.
 */
export interface StepJournal {
  log(line: string): void;
  progress(value: StepProgress): void;
  flush(): Promise<void>;
}

/** Lines of a job's log beyond this are dropped, oldest first (a step that polls for minutes writes one per poll). */
export const JOURNAL_KEEP_LINES = 200;

export function stepJournal(job: Job, logger: Logger): StepJournal {
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (what: string, write: () => Promise<unknown>) => {
    queue = queue.then(write).then(
      () => undefined,
      (err: unknown) => logger.warn(`could not write the job's ${what}`, { error: err instanceof Error ? err.message : String(err) }),
    );
  };
  return {
    log: (line) => enqueue('log', () => job.log(`${new Date().toISOString()} ${line}`)),
    progress: (value) => enqueue('progress', () => job.updateProgress(value)),
    flush: () => queue,
  };
}

/** One short line of what a step was handed: its operation's fields and the outputs it needs, each cut to size. */
export function summarizeInputs(data: object, needs: Record<string, unknown>): string {
  const fields = Object.entries(data)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .map(([k, v]) => `${k}=${String(v)}`);
  const needed = Object.entries(needs).map(([as, value]) => `${as}=${clip(JSON.stringify(value) ?? 'null', 160)}`);
  return [...fields, ...needed].join(' ');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
