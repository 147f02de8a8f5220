import { createRoute } from '@hono/zod-openapi';
import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { okResponses } from '../schemas/common';
import { ProjectSchema, projectView } from '../schemas/project';
import { callableBy } from './callable-by';
import { ProjectIdParams } from './route-params';
import { workspaceRoute } from './workspace-route';

const route = createRoute({
  method: 'get',
  path: '/v1/projects/{id}',
  operationId: 'getProject',
  tags: ['projects'],
  summary: 'Get a project by id or slug, with its environments, live deployment and rollback pin',
  ...callableBy('admin', 'deployer', 'viewer'),
  request: { params: ProjectIdParams },
  responses: okResponses('The project', ProjectSchema, 404),
});

export const registerGetProject = workspaceRoute(route, async (c, auth, ctx) => {
  const project = await loadProjectForCaller(ctx, auth, c.req.valid('param').id);
  return c.json(projectView(project), 200);
});
