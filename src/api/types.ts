import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AuthContext } from '../auth/auth-context';
import type { ControlPlaneContext } from '../context';
import type { Logger } from '../logger';

/** Per-request values on the Hono context. `auth` is set on every /v1 route (requireAuth runs first). */
export interface ApiVariables {
  requestId: string;
  /** The app's logger with this request's `requestId` on every line (requestLogger). */
  logger: Logger;
  auth: AuthContext;
}

export interface ApiEnv {
  Variables: ApiVariables;
}

export type ApiApp = OpenAPIHono<ApiEnv>;

/** One route module: registers its route(s) on the app. Adding a route = one such file + one line in routes/index.ts. */
export type RegisterRoute = (app: ApiApp, ctx: ControlPlaneContext) => void;
