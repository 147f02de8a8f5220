import { createRoute, z } from '@hono/zod-openapi';
import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { workspaceCaller } from '../../auth/permissions';
import { DeploymentStatus } from '../../generated/prisma/enums';
import type { Prisma } from '../../generated/prisma/client';
import { AUTHENTICATED_ERRORS, errorResponses, IdOrSlugParam, jsonContent, page, PaginationQuery } from '../schemas/common';
import { DEPLOYMENT_ROW_QUERY, DeploymentSummarySchema, deploymentSummaryView } from '../schemas/deployment';
import { lineText } from '../../operations/text';
import type { RegisterRoute } from '../types';
import { callableBy } from './callable-by';

const ListDeploymentsQuery = PaginationQuery.extend({
  projectId: IdOrSlugParam.optional().openapi({ description: 'Only this project (id or slug).', example: 'shop' }),
  environment: lineText(63)
    .min(1, 'must not be empty')
    .optional()
    .openapi({ description: 'Only this environment (slug).', example: 'production' }),
  status: z.enum(DeploymentStatus, { error: `must be one of ${Object.values(DeploymentStatus).join(', ')}` }).optional().openapi({ description: 'Only deployments in this status.' }),
});

const route = createRoute({
  method: 'get',
  path: '/v1/deployments',
  operationId: 'listDeployments',
  tags: ['deployments'],
  summary: "List the workspace's deployments, newest first",
  description:
    'Filter by project, environment and status. Cursor pagination: pass `nextCursor` from one page as `cursor` for the next; ' +
    'deployments created meanwhile never shift a page.',
  ...callableBy('admin', 'deployer', 'viewer'),
  request: { query: ListDeploymentsQuery },
  responses: {
    200: { description: 'A page of deployments', ...jsonContent(page(DeploymentSummarySchema, 'DeploymentPage')) },
    ...errorResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export const registerListDeployments: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = workspaceCaller(c);
    const { limit, cursor, projectId, environment, status } = c.req.valid('query');
    // A filter naming a project the caller cannot see is a 404, like any other reference to it.
    const project = projectId ? await loadProjectForCaller(ctx, auth, projectId) : undefined;
    const where: Prisma.DeploymentWhereInput = {
      project: { workspaceId: auth.workspaceId },
      ...(project ? { projectId: project.id } : {}),
      ...(environment ? { environment: { slug: environment } } : {}),
      ...(status ? { status } : {}),
      ...(cursor ? { id: { lt: cursor } } : {}),
    };
    const rows = await ctx.prisma.deployment.findMany({ where, orderBy: { id: 'desc' }, take: limit + 1, ...DEPLOYMENT_ROW_QUERY });
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    return c.json({ data: items.map(deploymentSummaryView), nextCursor: more ? items[items.length - 1].id : null }, 200);
  });
};
