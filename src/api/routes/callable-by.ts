/** Who may call an authenticated route: the bearer scheme the document shows, and the role check that enforces it. */
import type { MiddlewareHandler } from 'hono';
import { allow, Caller } from '../../auth/permissions';
import { BEARER_SECURITY } from '../schemas/common';
import type { ApiEnv } from '../types';

/**
 * Spread into a route's config: `...callableBy('admin', 'deployer')`. The middleware is a mutable one-element tuple
 * because that is what lets the route's handler see `ApiEnv` (a readonly array would not match RouteConfig's).
 */
export function callableBy(...callers: Caller[]): { security: typeof BEARER_SECURITY; middleware: [MiddlewareHandler<ApiEnv>] } {
  return { security: BEARER_SECURITY, middleware: [allow(...callers)] };
}
