import { okResponses, page, PaginationQuery } from '../schemas/common';
import { ProjectSchema, projectView } from '../schemas/project';
import { cursorPaginationText, newestFirst, pageOf } from './pagination';
import { workspaceRoute } from './workspace-route';
import { readRoute } from './read-route';

const route = readRoute('projects', '/v1/projects', 'listProjects', {
  summary: "List the workspace's projects, newest first",
  description: `Newest first (ids sort by creation time). ${cursorPaginationText('projects')}`,
  request: { query: PaginationQuery },
  responses: okResponses('A page of projects', page(ProjectSchema, 'ProjectPage')),
});

export const registerListProjects = workspaceRoute(route, async (c, auth, ctx) => {
  const query = c.req.valid('query');
  const rows = await ctx.prisma.project.findMany({ ...newestFirst(query, { workspaceId: auth.workspaceId }), include: { environments: true } });
  const { items, nextCursor } = pageOf(rows, query.limit, (last) => last.id);
  return c.json({ data: items.map(projectView), nextCursor }, 200);
});
