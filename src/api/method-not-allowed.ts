import type { MiddlewareHandler } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { ApiError } from '../errors';
import type { ApiApp, ApiEnv } from './types';

/** Every method the app serves at each path pattern, from the app's own routes (Hono's router does the matching). */
function methodTable(app: ApiApp): TrieRouter<string> {
  const router = new TrieRouter<string>();
  // Method ALL is middleware (and the dashboard, which serves whatever it serves): only real routes name their method.
  for (const route of app.routes) if (route.method !== 'ALL') router.add('ALL', route.path, route.method);
  return router;
}

/**
 * A known path asked with a method it does not serve: 405 `method_not_allowed` with `Allow` (HEAD wherever GET is),
 * before authentication, since the API's shape is public (/openapi.json). A plain OPTIONS there answers 204 with
 * `Allow`. Unknown paths go on (and end in 404).
 */
export function methodNotAllowed(app: ApiApp): MiddlewareHandler<ApiEnv> {
  let table: TrieRouter<string> | undefined;
  let builtFrom = -1;
  return async (c, next) => {
    if (!table || builtFrom !== app.routes.length) {
      table = methodTable(app);
      builtFrom = app.routes.length;
    }
    const served = new Set(table.match('ALL', c.req.path)[0].map(([method]) => method));
    const method = c.req.method;
    if (served.size === 0 || served.has(method) || (method === 'HEAD' && served.has('GET'))) return next();
    if (served.has('GET')) served.add('HEAD');
    served.add('OPTIONS');
    const allow = [...served].sort().join(', ');
    c.header('Allow', allow);
    if (method === 'OPTIONS') return c.body(null, 204);
    throw new ApiError('method_not_allowed', { method, path: c.req.path, allow: [...served].sort() }, { details: { allow: [...served].sort() } });
  };
}
