import type { Job } from 'bullmq';
import type { Logger } from '../logger';
import type { RedisConnection } from '../redis/connection';

/** What a step shows of how far it is, as the job's progress (the dashboard's Progress tab shows it as JSON). */
export interface StepProgress {
  /** 0–100. */
  percent?: number;
  [figure: string]: number | string | undefined;
}

/**
 * A step job's journal on the dashboard: its log lines (the job's `logs` list, the Logs tab) and its progress
 * (`job.updateProgress`, the Progress tab). Writes are never awaited by the step: a journal line must never slow a
 * step down or fail it, so a write that fails is logged and dropped. `flush()` writes what is pending and waits for it,
 * so a finished job carries all of its lines.
 *
 * Lines are gathered and written together, one RPUSH for all the lines pending (BullMQ's `job.log` is one script call
 * per line): a write goes out `JOURNAL_WRITE_DELAY_MS` after the first pending line, or at `flush()`, whichever comes
 * first. A step that ends sooner (most do) writes its start and its outcome in one command with its flush; a longer
 * one still shows its start on the dashboard within that delay. Only the latest pending progress is written.
 */
export interface StepJournal {
  log(line: string): void;
  progress(value: StepProgress): void;
  flush(): Promise<void>;
}

/** Lines of a job's log beyond this are dropped, oldest first (a step that polls for minutes writes one per poll). */
export const JOURNAL_KEEP_LINES = 200;
/** How long a pending line waits for others to go with it. */
export const JOURNAL_WRITE_DELAY_MS = 100;

/** Where a job's log lines go: BullMQ's list `<prefix>:<queue>:<job id>:logs`, through a command connection. */
export interface JournalTarget {
  redis: Pick<RedisConnection, 'rpush' | 'ltrim'>;
  prefix: string;
}

export function jobLogsKey(prefix: string, job: Pick<Job, 'queueName' | 'id'>): string {
  return `${prefix}:${job.queueName}:${job.id}:logs`;
}

export function stepJournal(job: Job, logger: Logger, target: JournalTarget): StepJournal {
  const key = jobLogsKey(target.prefix, job);
  let lines: string[] = [];
  let progress: StepProgress | undefined;
  let timer: NodeJS.Timeout | undefined;
  let written: Promise<void> = Promise.resolve();
  const warn = (what: string) => (err: unknown) => logger.warn(`could not write the job's ${what}`, { error: err instanceof Error ? err.message : String(err) });
  const writePending = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = lines;
    const latest = progress;
    lines = [];
    progress = undefined;
    if (batch.length === 0 && latest === undefined) return written;
    // In order after the previous write, so the lines stay in the order they were logged.
    written = written.then(async () => {
      if (batch.length) {
        const count = await target.redis.rpush(key, ...batch).catch(warn('log'));
        if (typeof count === 'number' && count > JOURNAL_KEEP_LINES) await target.redis.ltrim(key, -JOURNAL_KEEP_LINES, -1).catch(warn('log'));
      }
      if (latest !== undefined) await job.updateProgress(latest).catch(warn('progress'));
    });
    return written;
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => void writePending(), JOURNAL_WRITE_DELAY_MS);
    timer.unref();
  };
  return {
    log: (line) => {
      lines.push(`${new Date().toISOString()} ${line}`);
      schedule();
    },
    progress: (value) => {
      progress = value;
      schedule();
    },
    flush: writePending,
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
