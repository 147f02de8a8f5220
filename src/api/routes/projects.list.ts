import { createRoute } from '@hono/zod-openapi';
import { workspaceCaller } from '../../auth/permissions';
import { AUTHENTICATED_ERRORS, errorResponses, jsonContent, page, PaginationQuery } from '../schemas/common';
import { ProjectSchema, projectView } from '../schemas/project';
import type { RegisterRoute } from '../types';
import { callableBy } from './callable-by';

const route = createRoute({
  method: 'get',
  path: '/v1/projects',
  operationId: 'listProjects',
  tags: ['projects'],
  summary: "List the workspace's projects, newest first",
  description:
    'Newest first (ids sort by creation time). Cursor pagination: pass `nextCursor` from one page as `cursor` for the next; ' +
    'projects created meanwhile never shift a page.',
  ...callableBy('admin', 'deployer', 'viewer'),
  request: { query: PaginationQuery },
  responses: {
    200: { description: 'A page of projects', ...jsonContent(page(ProjectSchema, 'ProjectPage')) },
    ...errorResponses(...AUTHENTICATED_ERRORS),
  },
});

export const registerListProjects: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = workspaceCaller(c);
    const { limit, cursor } = c.req.valid('query');
    const rows = await ctx.prisma.project.findMany({
      where: { workspaceId: auth.workspaceId, ...(cursor ? { id: { lt: cursor } } : {}) },
      orderBy: { id: 'desc' },
      take: limit + 1,
      include: { environments: true },
    });
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    return c.json({ data: items.map(projectView), nextCursor: more ? items[items.length - 1].id : null }, 200);
  });
};
