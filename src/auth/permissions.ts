import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import type { ApiEnv } from '../api/types';
import type { AuthContext, Role, WorkspaceAuthContext } from './auth-context';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** POSTs that change nothing: minting an event stream token lets a viewer read what it may already read. */
const READ_ONLY_POSTS = [/^\/v1\/deployments\/[^/]+\/events\/token$/];

/** Viewers are read-only across the whole API: any other method answers 403 before the route runs. */
export function rejectWritesFromViewers(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    const readOnly = READ_METHODS.has(c.req.method) || (c.req.method === 'POST' && READ_ONLY_POSTS.some((p) => p.test(c.req.path)));
    if (auth?.role === 'viewer' && !readOnly) {
      throw new ApiError('forbidden', { rule: 'viewer_reads_only' });
    }
    await next();
  };
}

export function authOf(c: Context<ApiEnv>): AuthContext {
  const auth = c.get('auth');
  // Only reachable if a route were mounted outside /v1 (where requireAuth runs) yet asked for a caller.
  if (!auth) throw new ApiError('unauthorized', { problem: 'missing', via: 'header' });
  return auth;
}

export type Caller = 'root' | Role;

/**
 * Route middleware naming who may call the route: `allow('root')` for the root key, `allow('admin', 'deployer')`
 * for workspace keys of those roles. The root key is deliberately kept out of workspace resources: it
 * manages workspaces only (allow('root') routes), so a leaked root key cannot deploy anywhere; workspace work needs a workspace key.
 */
export function allow(...callers: Caller[]): MiddlewareHandler<ApiEnv> {
  const allowed = new Set<Caller>(callers);
  return async (c, next) => {
    const auth = authOf(c);
    if (auth.isRoot) {
      if (!allowed.has('root')) {
        throw new ApiError('forbidden', { rule: 'root_manages_workspaces', via: 'http' });
      }
    } else if (!allowed.has(auth.role)) {
      const roles = callers.filter((r) => r !== 'root');
      throw new ApiError('forbidden', roles.length ? { rule: 'role', needed: roles, has: auth.role, via: 'http' } : { rule: 'root_only' });
    }
    await next();
  };
}

/** The caller as a workspace key; 403 for the root key (see allow()). */
export function workspaceCaller(c: Context<ApiEnv>): WorkspaceAuthContext {
  const auth = authOf(c);
  if (auth.isRoot || auth.workspaceId === null) {
    throw new ApiError('forbidden', { rule: 'root_manages_workspaces', via: 'http' });
  }
  return { ...auth, workspaceId: auth.workspaceId, isRoot: false };
}
