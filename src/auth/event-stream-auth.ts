import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from '../api/types';
import type { AppContext } from '../context';
import { eventStreamTokensFor } from './event-stream-token';

/** The one route an event stream token opens (mounted there only, so a token never authenticates anything else). */
export const EVENT_STREAM_PATH = '/v1/deployments/:id/events';

/**
 * On GET /v1/deployments/:id/events only: a request with `?token=` and no Authorization header is authenticated by
 * its event stream token (see EventStreamTokens), as a viewer of the token's workspace; requireAuth then lets it
 * through. With an Authorization header the token is not consulted: the key decides, as on every other route.
 */
export function acceptEventStreamToken(ctx: AppContext): MiddlewareHandler<ApiEnv> {
  const tokens = eventStreamTokensFor(ctx);
  return async (c, next) => {
    const token = c.req.query('token');
    if (token === undefined || c.req.method !== 'GET' || c.req.header('authorization') !== undefined) return next();
    c.set('auth', await tokens.authenticate(token, c.req.param('id') ?? ''));
    await next();
  };
}
