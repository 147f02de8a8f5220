import { createRoute } from '@hono/zod-openapi';
import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { savePolicy } from '../../releases/release-policy';
import { errorResponses, JSON_POST_ERRORS, jsonContent, jsonPostRequest } from '../schemas/common';
import { ReleasePolicyBody, ReleasePolicySchema, releasePolicyView } from '../schemas/release';
import { callableBy } from './callable-by';
import { productionOf } from './release-routes';
import { ProjectIdParams } from './route-params';
import { workspaceRoute } from './workspace-route';

const route = createRoute({
  method: 'post',
  path: '/v1/projects/{id}/release-policy',
  operationId: 'setReleasePolicy',
  tags: ['releases'],
  summary: "Create or replace the project's release policy (production)",
  description:
    'With a staged policy, a production deploy that would take the live routes ends `ready` at the first stage instead: ' +
    'the canary gets the first weight of the live, environment and custom routes, the live deployment (the stable) the ' +
    'rest, and a release steps it through the stages, judging it against the stable from the gateways\' own figures ' +
    'every `judgeWindowSeconds`: a canary whose 5xx rate or p95 latency exceed the thresholds is rolled back at once. ' +
    'A running release keeps the policy it started with. Fields left out take their defaults.',
  ...callableBy('admin', 'deployer'),
  request: { params: ProjectIdParams, ...jsonPostRequest(ReleasePolicyBody) },
  responses: { 200: { description: 'The policy as stored', ...jsonContent(ReleasePolicySchema) }, ...errorResponses(...JSON_POST_ERRORS, 404) },
});

export const registerSetReleasePolicy = workspaceRoute(route, async (c, auth, ctx) => {
  const project = await loadProjectForCaller(ctx, auth, c.req.valid('param').id);
  const production = productionOf(project);
  const row = await savePolicy(ctx.prisma, project.id, production.id, c.req.valid('json'));
  c.get('logger').info('release policy set', { projectId: project.id, by: auth.apiKeyId });
  return c.json(releasePolicyView(row, production.slug), 200);
});
