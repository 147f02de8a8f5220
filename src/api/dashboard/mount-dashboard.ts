import type { Context, MiddlewareHandler } from 'hono';
import { verifyApiKey } from '../../auth/api-key';
import type { ControlPlaneContext } from '../../context';
import { ApiError } from '../../errors';
import { renderError } from '../errors';
import type { ApiApp, ApiEnv } from '../types';
import { createQueueBoard, DASHBOARD_PATH } from './bull-board';
import { dashboardKey } from './dashboard-key';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function refuse(c: Context<ApiEnv>, err: ApiError<'unauthorized' | 'forbidden'>): Response {
  const res = renderError(c, err);
  // A Basic challenge makes a browser ask for the key (any user name, the key as password).
  if (err.code === 'unauthorized') res.headers.set('WWW-Authenticate', 'Basic realm="deployflow", charset="UTF-8"');
  return res;
}

/**
 * Browsers resend Basic credentials on requests other sites trigger, so an action (any non-GET) must come from the
 * dashboard's own pages: a cross-site Origin or Sec-Fetch-Site is refused. Scripts send neither header.
 */
function isCrossSite(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = c.req.header('origin');
  if (!origin) return false;
  try {
    return new URL(origin).host !== (c.req.header('host') ?? new URL(c.req.url).host);
  } catch {
    return true;
  }
}

/**
 * bull-board at /admin/queues. The board shows the jobs of every workspace, so it is for platform keys only (keys
 * without a workspace): the root key (admin) gets the full board, a platform viewer key (`npm run platform-key`) a
 * read-only one (every action answers 405). A workspace's key is refused (403), so no workspace sees another's jobs.
 * No key or a bad key: 401 with a Basic challenge. Two boards are built once; each request goes to the one its key allows.
 */
export function mountDashboard(app: ApiApp, ctx: ControlPlaneContext): void {
  const queues = ctx.operations.queues();
  const full = createQueueBoard(queues, { readOnly: false });
  const readOnly = createQueueBoard(queues, { readOnly: true });

  const handler: MiddlewareHandler<ApiEnv> = async (c) => {
    const presented = dashboardKey(c);
    if (!presented) return refuse(c, new ApiError('unauthorized', { problem: 'missing', via: 'dashboard' }));
    const record = await verifyApiKey(ctx.prisma, presented);
    if (!record) return refuse(c, new ApiError('unauthorized', { problem: 'invalid', via: 'dashboard' }));
    if (record.workspaceId !== null) {
      return refuse(c, new ApiError('forbidden', { rule: 'dashboard_needs_platform_key' }));
    }
    if (!READ_METHODS.has(c.req.method) && isCrossSite(c)) {
      return refuse(c, new ApiError('forbidden', { rule: 'dashboard_same_site' }));
    }
    const board = record.role === 'admin' ? full : readOnly;
    const res = await board.fetch(c.req.raw);
    // Pages and queue data are per key: never kept by shared caches.
    const out = new Response(res.body, res);
    out.headers.set('cache-control', 'no-store');
    out.headers.set('vary', 'authorization');
    return out;
  };
  // app.all (not get/post): these are not API routes and stay out of the OpenAPI document.
  app.all(DASHBOARD_PATH, handler);
  app.all(`${DASHBOARD_PATH}/*`, handler);
}
