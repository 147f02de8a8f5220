import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { okResponses, page, PaginationQuery } from '../schemas/common';
import { optionalQueryInteger } from '../schemas/query-integer';
import { RouteChangeSchema, routeChangeView } from '../schemas/route';
import { ProjectIdParams } from './route-params';
import { pageOf } from './pagination';
import { workspaceRoute } from './workspace-route';
import { readRoute } from './read-route';

/** Sequence numbers are 32-bit integers in the database. */
const MAX_SEQUENCE = 2_147_483_647;

// Route changes are ordered by their per-project sequence number, so that is the cursor (not an id).
const RouteChangesQuery = PaginationQuery.extend({
  cursor: optionalQueryInteger({ min: 1, max: MAX_SEQUENCE, message: 'must be a nextCursor value from a previous page' }).openapi({
    description: 'The `nextCursor` of the previous page; omit for the first page.',
  }),
});

const route = readRoute('routing', '/v1/projects/{id}/route-changes', 'listRouteChanges', {
  summary: "The project's routing history, newest first",
  description: 'Every routing change (deploy, rollback, promote, undo): which hostnames moved from which deployment to which, and the live pointer before and after.',
  request: { params: ProjectIdParams, query: RouteChangesQuery },
  responses: okResponses('A page of route changes', page(RouteChangeSchema, 'RouteChangePage'), 404),
});

export const registerListProjectRouteChanges = workspaceRoute(route, async (c, auth, ctx) => {
  const project = await loadProjectForCaller(ctx, auth, c.req.valid('param').id);
  const { limit, cursor } = c.req.valid('query');
  const rows = await ctx.prisma.routeChange.findMany({
    where: { projectId: project.id, ...(cursor !== undefined ? { sequence: { lt: cursor } } : {}) },
    orderBy: { sequence: 'desc' },
    take: limit + 1,
  });
  const { items, nextCursor } = pageOf(rows, limit, (last) => String(last.sequence));
  const kinds = new Map(
    (await ctx.prisma.operation.findMany({ where: { id: { in: items.map((r) => r.operationId) } }, select: { id: true, kind: true } })).map((o) => [o.id, o.kind]),
  );
  const data = items.map((r) => {
    const view = routeChangeView(r);
    return { ...view, operationKind: kinds.get(r.operationId) ?? view.operationKind };
  });
  return c.json({ data, nextCursor }, 200);
});
