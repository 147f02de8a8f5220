import { createRoute } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { ApiError } from '../../errors';
import { jsonContent, errorResponses, AUTHENTICATED_ERRORS } from '../schemas/common';
import { ReleasePolicySchema, releasePolicyView } from '../schemas/release';
import { callableBy } from './callable-by';
import { productionOf } from './release-routes';
import { ProjectIdParams } from './route-params';
import { workspaceRoute } from './workspace-route';

const route = createRoute({
  method: 'delete',
  path: '/v1/projects/{id}/release-policy',
  operationId: 'deleteReleasePolicy',
  tags: ['releases'],
  summary: "Remove the project's release policy: later production deploys switch at once",
  description: 'A release already running goes on with the policy it started with (abort it to stop it). 404 when the project has no policy.',
  ...callableBy('admin', 'deployer'),
  request: { params: ProjectIdParams },
  responses: {
    200: { description: 'The policy that was removed', ...jsonContent(z.object({ deleted: z.literal(true), policy: ReleasePolicySchema }).openapi('DeletedReleasePolicy')) },
    ...errorResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export const registerDeleteReleasePolicy = workspaceRoute(route, async (c, auth, ctx) => {
  const project = await loadProjectForCaller(ctx, auth, c.req.valid('param').id);
  const production = productionOf(project);
  const existing = await ctx.prisma.releasePolicy.findUnique({ where: { environmentId: production.id } });
  const { count } = await ctx.prisma.releasePolicy.deleteMany({ where: { environmentId: production.id } });
  if (!existing || count === 0) throw new ApiError('not_found', { what: 'release policy of project', id: project.slug, quoted: true });
  c.get('logger').info('release policy deleted', { projectId: project.id, by: auth.apiKeyId });
  return c.json({ deleted: true as const, policy: releasePolicyView(existing, production.slug) }, 200);
});
