import type { Logger } from '../logger';
import { killChildProcessesNow } from './child-processes';

type StopFn = () => Promise<unknown> | unknown;

interface StopStep {
  name: string;
  stop: StopFn;
  timeoutMs?: number;
}

export interface ShutdownOptions {
  logger: Logger;
  /** The whole shutdown's bound: whatever is still stopping then is abandoned, children are killed, exit 1. */
  deadlineMs: number;
  /**
   * Signals this soon after the first count as the same request: Ctrl-C reaches both npm and node, and npm forwards
   * its copy to node. A signal after the window forces the exit.
   */
  repeatWindowMs?: number;
  /** Synchronous last words before any exit (orderly or forced), e.g. releasing the DATA_DIR lock. */
  beforeExit?: () => void;
  exit?: (code: number) => void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

class StepTimeoutError extends Error {}

/**
 * Stops what a process started, in reverse order, within a bound. Each step has its own timeout (a dependency that is
 * already gone must not hold the steps after it); the whole has a deadline; a second signal forces the exit at once.
 * Every exit path (orderly, forced, or any process.exit) ends by SIGKILLing the children still alive, so a redis-server
 * or app instance we started never outlives us.
 */
export class Shutdown {
  private readonly steps: StopStep[] = [];
  private startedAt: number | undefined;
  private current: string | undefined;
  private exiting = false;

  constructor(private readonly options: ShutdownOptions) {}

  /** Registers a stop; stops run in the reverse order of registration. */
  add(name: string, stop: StopFn, timeoutMs?: number): void {
    this.steps.push({ name, stop, timeoutMs });
  }

  /** Takes over SIGINT, SIGTERM and SIGHUP, and the 'exit' event. Call before starting anything. */
  install(): void {
    for (const signal of SIGNALS) process.on(signal, () => this.onSignal(signal));
    process.on('exit', () => this.lastWords());
  }

  get inProgress(): boolean {
    return this.startedAt !== undefined;
  }

  /** Runs the stops (once); exits with `exitCode`, or 1 if a stop failed or timed out. */
  async run(reason: string, exitCode = 0): Promise<void> {
    if (this.startedAt !== undefined) return;
    this.startedAt = Date.now();
    const { logger, deadlineMs } = this.options;
    logger.info('shutting down', { reason, deadlineMs, hint: 'send the signal again to stop at once' });
    const deadline = setTimeout(() => this.force(`not stopped within ${deadlineMs} ms`), deadlineMs);
    deadline.unref();
    let clean = true;
    for (const step of [...this.steps].reverse()) {
      this.current = step.name;
      const remaining = this.startedAt + deadlineMs - Date.now();
      try {
        await withTimeout(Promise.resolve().then(step.stop), Math.max(0, Math.min(step.timeoutMs ?? remaining, remaining)));
      } catch (err) {
        clean = false;
        const timedOut = err instanceof StepTimeoutError;
        logger.warn(timedOut ? 'stop step timed out; going on' : 'stop step failed; going on', { step: step.name, error: (err as Error).message });
      }
    }
    this.current = undefined;
    clearTimeout(deadline);
    logger.info('stopped', { ms: Date.now() - this.startedAt, clean });
    this.exit(clean ? exitCode : Math.max(exitCode, 1));
  }

  /** Exit now: children are killed, nothing else is waited for. */
  force(reason: string): void {
    this.options.logger.error('forced exit', { reason, stillStopping: this.current });
    this.exit(1);
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.startedAt === undefined) {
      void this.run(signal);
      return;
    }
    if (Date.now() - this.startedAt < (this.options.repeatWindowMs ?? 1_000)) return;
    this.force(`${signal} during shutdown`);
  }

  private lastWords(): void {
    killChildProcessesNow();
    try {
      this.options.beforeExit?.();
    } catch {
      // exiting anyway
    }
  }

  private exit(code: number): void {
    if (this.exiting) return;
    this.exiting = true;
    (this.options.exit ?? process.exit)(code);
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeoutError(`no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
