/*
 * When a line may start: at most `concurrency` lines at once, the lines of one project one after another in file
 * order (Lanes), and at most `rate` starts per second (the rate limiter). Time comes from a Clock so tests of pacing
 * need not wait.
 */

/** Time as the bulk runner sees it; tests of pacing hand in their own. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimiter {
  /** Resolves when the next line may start. */
  take(): Promise<void>;
}

/**
 * At most `perSecond` starts in any second: starts are spaced 1/perSecond apart, reserved in call order so
 * concurrent callers never share a slot. No limit when perSecond is undefined.
 */
export function createRateLimiter(perSecond: number | undefined, clock: Clock = systemClock): RateLimiter {
  if (perSecond === undefined) return { take: async () => undefined };
  if (!(perSecond > 0)) throw new RangeError(`rate must be a positive number, got ${perSecond}`);
  const spacingMs = 1000 / perSecond;
  let nextAt = -Infinity;
  return {
    async take() {
      const now = clock.now();
      const at = Math.max(now, nextAt);
      nextAt = at + spacingMs;
      if (at > now) await clock.sleep(at - now);
    },
  };
}

/**
 * Runs tasks with at most `concurrency` at once, where tasks of the same lane (a project) run one after another in
 * the order they were added. Slots are granted first come, first served, so lanes start in file order.
 */
export class Lanes {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;
  private readonly all: Promise<void>[] = [];

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }

  /** Queues `task` behind the lane's earlier tasks. A failing task does not stop its lane: errors are the task's to handle. */
  add(lane: string, task: () => Promise<void>): void {
    const previous = this.tails.get(lane) ?? Promise.resolve();
    const next = previous.then(async () => {
      await this.acquire();
      try {
        await task();
      } finally {
        this.release();
      }
    });
    const settled = next.catch(() => undefined);
    this.tails.set(lane, settled);
    this.all.push(settled);
  }

  /** Resolves once every task added so far has finished. */
  async drain(): Promise<void> {
    await Promise.all(this.all);
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}
