import { createRoute } from '@hono/zod-openapi';
import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { workspaceCaller } from '../../auth/permissions';
import { AUTHENTICATED_ERRORS, errorResponses, jsonContent, page, PaginationQuery } from '../schemas/common';
import { optionalQueryInteger } from '../schemas/query-integer';
import { RouteChangeSchema, routeChangeView } from '../schemas/route';
import type { RegisterRoute } from '../types';
import { ProjectIdParams } from './route-params';
import { callableBy } from './callable-by';

/** Sequence numbers are 32-bit integers in the database. */
const MAX_SEQUENCE = 2_147_483_647;

// Route changes are ordered by their per-project sequence number, so that is the cursor (not an id).
const RouteChangesQuery = PaginationQuery.extend({
  cursor: optionalQueryInteger({ min: 1, max: MAX_SEQUENCE, message: 'must be a nextCursor value from a previous page' }).openapi({
    description: 'The `nextCursor` of the previous page; omit for the first page.',
  }),
});

const route = createRoute({
  method: 'get',
  path: '/v1/projects/{id}/route-changes',
  operationId: 'listRouteChanges',
  tags: ['routing'],
  summary: "The project's routing history, newest first",
  description: 'Every routing change (deploy, rollback, promote, undo): which hostnames moved from which deployment to which, and the live pointer before and after.',
  ...callableBy('admin', 'deployer', 'viewer'),
  request: { params: ProjectIdParams, query: RouteChangesQuery },
  responses: {
    200: { description: 'A page of route changes', ...jsonContent(page(RouteChangeSchema, 'RouteChangePage')) },
    ...errorResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export const registerListProjectRouteChanges: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = workspaceCaller(c);
    const project = await loadProjectForCaller(ctx, auth, c.req.valid('param').id);
    const { limit, cursor } = c.req.valid('query');
    const rows = await ctx.prisma.routeChange.findMany({
      where: { projectId: project.id, ...(cursor !== undefined ? { sequence: { lt: cursor } } : {}) },
      orderBy: { sequence: 'desc' },
      take: limit + 1,
    });
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const kinds = new Map(
      (await ctx.prisma.operation.findMany({ where: { id: { in: items.map((r) => r.operationId) } }, select: { id: true, kind: true } })).map((o) => [o.id, o.kind]),
    );
    const data = items.map((r) => {
      const view = routeChangeView(r);
      return { ...view, operationKind: kinds.get(r.operationId) ?? view.operationKind };
    });
    return c.json({ data, nextCursor: more ? String(items[items.length - 1].sequence) : null }, 200);
  });
};
