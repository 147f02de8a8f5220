import { performance } from 'node:perf_hooks';
import type { Job, Worker } from 'bullmq';

interface Waiter {
  resolve(at: number): void;
  reject(err: Error): void;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Asked every `checkEveryMs` while waiting: a message ends the wait with an error (a flow whose root failed never completes). */
  failure?: () => Promise<string | undefined>;
  checkEveryMs?: number;
}

/**
 * The moment a root job completed, taken from its worker's `completed` event in this process. The engine and the
 * bare flows are timed the same way, so neither pays for a round trip the other does not.
 */
export class CompletionWatch {
  private readonly completedAt = new Map<string, number>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly onCompleted = (job: Job) => {
    const at = performance.now();
    const id = job.id!;
    const waiter = this.waiters.get(id);
    if (waiter) {
      this.waiters.delete(id);
      waiter.resolve(at);
    } else {
      this.completedAt.set(id, at);
    }
  };

  constructor(private readonly worker: Worker) {
    worker.on('completed', this.onCompleted);
  }

  /** Resolves with `performance.now()` at the root job's completion. */
  wait(jobId: string, options: WaitOptions): Promise<number> {
    const early = this.completedAt.get(jobId);
    if (early !== undefined) {
      this.completedAt.delete(jobId);
      return Promise.resolve(early);
    }
    return new Promise<number>((resolve, reject) => {
      let checking: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(timeout);
        clearInterval(checking);
        this.waiters.delete(jobId);
      };
      const timeout = setTimeout(() => {
        finish();
        reject(new Error(`flow ${jobId} did not complete within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      if (options.failure) {
        const failure = options.failure;
        checking = setInterval(() => {
          failure().then(
            (message) => {
              if (message && this.waiters.has(jobId)) {
                finish();
                reject(new Error(`flow ${jobId} failed: ${message}`));
              }
            },
            () => undefined,
          );
        }, options.checkEveryMs ?? 250);
      }
      this.waiters.set(jobId, {
        resolve: (at) => {
          finish();
          resolve(at);
        },
        reject,
      });
    });
  }

  close(): void {
    this.worker.off('completed', this.onCompleted);
  }
}
