import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../logger';
import { DASHBOARD_PATH } from './dashboard/bull-board';
import { REQUEST_ID_HEADER } from './request-id';
import type { ApiEnv } from './types';

/** Requests that machines repeat all day: their access lines are debug, so info shows what people and clients did. */
function isRoutine(path: string): boolean {
  return path === '/metrics' || path === '/healthz' || path === '/readyz' || path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`);
}

function matchedRoute(c: Context<ApiEnv>): string | undefined {
  const matched = routePath(c, -1);
  return !matched || matched.endsWith('*') ? undefined : matched;
}

/**
 * Gives the request its logger (`c.get('logger')`: the app's logger with `requestId` on every line) and writes one
 * access line when it is answered: method, path (never the query string, which may carry secrets), route pattern,
 * status, `durationMs`, the caller's key id when known. Runs right after requestId(), so it sees every answer,
 * errors included.
 */
export function requestLogger(logger: Logger): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const id = c.get('requestId');
    const log = logger.child({ requestId: id });
    c.set('logger', log);
    const started = performance.now();
    try {
      await next();
    } finally {
      // A handler that builds its own Response (the dashboard) drops headers set before it ran: put the id back.
      if (c.res.headers.get(REQUEST_ID_HEADER) !== id) c.res.headers.set(REQUEST_ID_HEADER, id);
      const status = c.res.status;
      const fields = {
        method: c.req.method,
        path: c.req.path,
        route: matchedRoute(c),
        status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        apiKeyId: c.get('auth')?.apiKeyId,
      };
      if (isRoutine(c.req.path)) log.debug('request', fields);
      else if (status >= 500) log.warn('request', fields);
      else log.info('request', fields);
    }
  };
}

/** The request's logger (requestId on every line); the app's own when called outside a request pipeline. */
export function loggerOf(c: Context<ApiEnv>, fallback: Logger): Logger {
  return c.get('logger') ?? fallback;
}
