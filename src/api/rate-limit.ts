import type { MiddlewareHandler } from 'hono';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppContext } from '../context';
import { ApiError } from '../errors';
import type { ApiEnv } from './types';

export interface RateLimitSettings {
  /** Requests per key per window; 0: no limit. */
  requests: number;
  windowSeconds: number;
}

/** The policy's name in the headers (a structured-field string). */
const POLICY = '"per-key"';

/**
 * The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers, the `RateLimit-Policy` / `RateLimit` pair):
 * the policy with its quota `q` per window `w` seconds; what remains `r` and the seconds `t` until the window resets.
 */
export function rateLimitHeaders(settings: RateLimitSettings, res: Pick<RateLimiterRes, 'remainingPoints' | 'msBeforeNext'>): Record<string, string> {
  return {
    'RateLimit-Policy': `${POLICY};q=${settings.requests};w=${settings.windowSeconds}`,
    RateLimit: `${POLICY};r=${Math.max(0, res.remainingPoints)};t=${Math.max(0, Math.ceil(res.msBeforeNext / 1000))}`,
  };
}

/**
 * Per API key request limits on the authenticated routes (runs after requireAuth), counted by rate-limiter-flexible in
 * Redis so every API process shares one count per key: a fixed window of `windowSeconds`. Over the limit: 429
 * `rate_limited` with `Retry-After`. While Redis is unreachable each process counts in memory instead (the
 * library's insurance limiter), so an outage neither lifts the limit nor turns every request into an error.
 */
export function rateLimit(ctx: AppContext, settings: RateLimitSettings): MiddlewareHandler<ApiEnv> {
  if (settings.requests === 0) return (_c, next) => next();
  const limiter = new RateLimiterRedis({
    storeClient: ctx.redis,
    keyPrefix: `${ctx.config.QUEUE_PREFIX}:ratelimit`,
    points: settings.requests,
    duration: settings.windowSeconds,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ points: settings.requests, duration: settings.windowSeconds }),
  });
  return async (c, next) => {
    const auth = c.get('auth');
    if (!auth) return next();
    let outcome: RateLimiterRes;
    try {
      outcome = await limiter.consume(auth.apiKeyId);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        // Neither Redis nor the in-memory insurance answered: serve the request rather than fail it.
        c.get('logger')?.warn('rate limit not checked', { error: rejection instanceof Error ? rejection.message : String(rejection) });
        return next();
      }
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      for (const [name, value] of Object.entries(rateLimitHeaders(settings, rejection))) c.header(name, value);
      c.header('Retry-After', String(retryAfter));
      throw new ApiError(
        'rate_limited',
        { requests: settings.requests, windowSeconds: settings.windowSeconds, retryAfterSeconds: retryAfter },
        { details: { limit: settings.requests, windowSeconds: settings.windowSeconds, retryAfterSeconds: retryAfter } },
      );
    }
    for (const [name, value] of Object.entries(rateLimitHeaders(settings, outcome))) c.header(name, value);
    await next();
  };
}
