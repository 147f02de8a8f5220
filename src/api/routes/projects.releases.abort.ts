import { createRoute } from '@hono/zod-openapi';
import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { requestEnd } from '../../releases/release-requests';
import { ReleaseActionBody } from '../schemas/release';
import { loadReleaseForProject } from './release-routes';
import { ProjectReleaseParams } from './route-params';
import { settleOperation } from './settle-operation';
import { enqueueLaterIfDown, switchRoute, WAIT_DESCRIPTION } from './starting-operations';
import { workspaceRoute } from './workspace-route';

const route = createRoute({
  method: 'post',
  path: '/v1/projects/{id}/releases/{releaseId}/abort',
  operationId: 'abortRelease',
  tags: ['releases'],
  summary: 'Abort a running release: the stable takes all traffic back at once',
  description:
    'Sets the canary weight to 0 through the routing queue (an operation of its own, `canary_weight`): the stable ' +
    'serves every request again, the release ends `aborted` and the canary becomes `rolled_back`. Asking again while ' +
    'the abort is applied answers the same operation. 409 `release_not_running` for a release that already ended. ' +
    WAIT_DESCRIPTION,
  ...switchRoute(ProjectReleaseParams, ReleaseActionBody),
});

export const registerAbortRelease = workspaceRoute(route, async (c, auth, ctx) => {
  const { id, releaseId } = c.req.valid('param');
  const project = await loadProjectForCaller(ctx, auth, id);
  const release = await loadReleaseForProject(ctx, project, releaseId);
  const reason = c.req.valid('json')?.reason;
  const { operationId, existing } = await requestEnd({ prisma: ctx.prisma, enqueue: enqueueLaterIfDown(ctx, c.get('logger')) }, release, {
    kind: 'abort',
    reason: `aborted by ${auth.apiKeyId}${reason ? `: ${reason}` : ''}`,
    requestedBy: auth.apiKeyId,
  });
  if (!existing) c.get('logger').info('release abort requested', { operationId, releaseId, by: auth.apiKeyId });
  const settled = await settleOperation(ctx, operationId, c.req.valid('query').wait);
  return settled.status === 200 ? c.json(settled.body, 200) : c.json(settled.body, 202, { Location: settled.body.links.operation });
});
