import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { HttpMetrics } from '../metrics/http-metrics';
import { DASHBOARD_PATH } from './dashboard/bull-board';
import type { ApiEnv } from './types';

/** The label of every request to the queue dashboard (its pages, assets and API), whatever its path. */
export const DASHBOARD_ROUTE = `${DASHBOARD_PATH}/*`;
/** The label of requests no route matched. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The `route` label of a request: the pattern of the route that answered it (`/v1/projects/:id`), never the raw path,
 * so callers cannot grow the label set. The dashboard is mounted on wildcard patterns and is labelled as such; a
 * request that matched only middleware (its last pattern a wildcard like `/v1/*`) is `unmatched`.
 */
export function routeLabel(c: Context<ApiEnv>): string {
  const matched = routePath(c, -1);
  if (matched === DASHBOARD_PATH || matched === DASHBOARD_ROUTE) return DASHBOARD_ROUTE;
  return !matched || matched.endsWith('*') ? UNMATCHED_ROUTE : matched;
}

/** Counts and times every answer, errors included (runs early, so it sees what the error handler answered). */
export function httpMetrics(metrics: HttpMetrics): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.record(c.req.method, routeLabel(c), c.res.status, (performance.now() - started) / 1000);
    }
  };
}
