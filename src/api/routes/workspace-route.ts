/** Registering a route that works on the caller's workspace: the handler is given the caller's workspace key. */
import type { RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { WorkspaceAuthContext } from '../../auth/auth-context';
import { workspaceCaller } from '../../auth/permissions';
import type { ControlPlaneContext } from '../../context';
import type { ApiEnv, RegisterRoute } from '../types';

/** A route's handler, typed by its route as app.openapi types it, with the workspace key calling it and the context. */
export type WorkspaceHandler<R extends RouteConfig> = (
  c: Parameters<RouteHandler<R, ApiEnv>>[0],
  auth: WorkspaceAuthContext,
  ctx: ControlPlaneContext,
) => ReturnType<RouteHandler<R, ApiEnv>>;

/**
 * `export const registerX = workspaceRoute(route, async (c, auth, ctx) => …)`: the handler runs for a workspace key
 * (`workspaceCaller`: a key without a workspace, such as the root key, gets 403 and the handler does not run).
 */
export function workspaceRoute<R extends RouteConfig>(route: R, handler: WorkspaceHandler<R>): RegisterRoute {
  return (app, ctx) => {
    const run: RouteHandler<R, ApiEnv> = (c) => handler(c, workspaceCaller(c), ctx);
    app.openapi(route, run);
  };
}
