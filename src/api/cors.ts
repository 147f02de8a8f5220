import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { ApiEnv } from './types';

/** Response headers a browser script may read: the ones the API documents. */
const EXPOSED = ['Location', 'x-request-id', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'Idempotent-Replayed'];

/**
 * Hono's CORS middleware for the configured origins (`*` for any); none configured: no CORS headers, so browsers
 * refuse other sites' scripts. Keys travel in `Authorization`, never cookies, so credentials stay off.
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler<ApiEnv> | undefined {
  if (origins.length === 0) return undefined;
  return cors({
    origin: origins.includes('*') ? '*' : [...origins],
    allowMethods: ['GET', 'HEAD', 'POST', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'x-request-id'],
    exposeHeaders: EXPOSED,
    maxAge: 600,
    credentials: false,
  }) as MiddlewareHandler<ApiEnv>;
}
