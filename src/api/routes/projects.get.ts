import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { okResponses } from '../schemas/common';
import { ProjectSchema, projectView } from '../schemas/project';
import { ProjectIdParams } from './route-params';
import { workspaceRoute } from './workspace-route';
import { readRoute } from './read-route';

const route = readRoute('projects', '/v1/projects/{id}', 'getProject', {
  summary: 'Get a project by id or slug, with its environments, live deployment and rollback pin',
  request: { params: ProjectIdParams },
  responses: okResponses('The project', ProjectSchema, 404),
});

export const registerGetProject = workspaceRoute(route, async (c, auth, ctx) =>
  c.json(projectView(await loadProjectForCaller(ctx, auth, c.req.valid('param').id)), 200),
);
