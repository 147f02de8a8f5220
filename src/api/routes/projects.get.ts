import { createRoute, z } from '@hono/zod-openapi';
import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { workspaceCaller } from '../../auth/permissions';
import { AUTHENTICATED_ERRORS, errorResponses, IdOrSlugParam, jsonContent } from '../schemas/common';
import { ProjectSchema, projectView } from '../schemas/project';
import type { RegisterRoute } from '../types';
import { callableBy } from './callable-by';

const route = createRoute({
  method: 'get',
  path: '/v1/projects/{id}',
  operationId: 'getProject',
  tags: ['projects'],
  summary: 'Get a project by id or slug, with its environments, live deployment and rollback pin',
  ...callableBy('admin', 'deployer', 'viewer'),
  request: {
    params: z.object({ id: IdOrSlugParam.openapi({ param: { name: 'id', in: 'path' }, description: 'Project id (`prj_…`) or slug', example: 'shop' }) }),
  },
  responses: {
    200: { description: 'The project', ...jsonContent(ProjectSchema) },
    ...errorResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export const registerGetProject: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = workspaceCaller(c);
    const project = await loadProjectForCaller(ctx, auth, c.req.valid('param').id);
    return c.json(projectView(project), 200);
  });
};
