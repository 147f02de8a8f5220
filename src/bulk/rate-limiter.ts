import { Clock, systemClock } from './clock';

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
