import { z } from '@hono/zod-openapi';
import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { DeploymentStatus } from '../../generated/prisma/enums';
import type { Prisma } from '../../generated/prisma/client';
import { IdOrSlugParam, okResponses, page, PaginationQuery } from '../schemas/common';
import { DEPLOYMENT_ROW_QUERY, DeploymentSummarySchema, deploymentSummaryView } from '../schemas/deployment';
import { lineText } from '../../operations/text';
import { cursorPaginationText, newestFirst, pageOf } from './pagination';
import { workspaceRoute } from './workspace-route';
import { readRoute } from './read-route';

const ListDeploymentsQuery = PaginationQuery.extend({
  projectId: IdOrSlugParam.optional().openapi({ description: 'Only this project (id or slug).', example: 'shop' }),
  environment: lineText(63)
    .min(1, 'must not be empty')
    .optional()
    .openapi({ description: 'Only this environment (slug).', example: 'production' }),
  status: z.enum(DeploymentStatus, { error: `must be one of ${Object.values(DeploymentStatus).join(', ')}` }).optional().openapi({ description: 'Only deployments in this status.' }),
});

const route = readRoute('deployments', '/v1/deployments', 'listDeployments', {
  summary: "List the workspace's deployments, newest first",
  description:
    `Filter by project, environment and status. ${cursorPaginationText('deployments')}`,
  request: { query: ListDeploymentsQuery },
  responses: okResponses('A page of deployments', page(DeploymentSummarySchema, 'DeploymentPage'), 404),
});

export const registerListDeployments = workspaceRoute(route, async (c, auth, ctx) => {
  const { limit, cursor, projectId, environment, status } = c.req.valid('query');
  // A filter naming a project the caller cannot see is a 404, like any other reference to it.
  const project = projectId ? await loadProjectForCaller(ctx, auth, projectId) : undefined;
  const where: Prisma.DeploymentWhereInput = {
    project: { workspaceId: auth.workspaceId },
    ...(project ? { projectId: project.id } : {}),
    ...(environment ? { environment: { slug: environment } } : {}),
    ...(status ? { status } : {}),
  };
  const rows = await ctx.prisma.deployment.findMany({ ...newestFirst({ limit, cursor }, where), ...DEPLOYMENT_ROW_QUERY });
  const { items, nextCursor } = pageOf(rows, limit, (last) => last.id);
  return c.json({ data: items.map(deploymentSummaryView), nextCursor }, 200);
});
