import { createRoute } from '@hono/zod-openapi';
import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { requestNextStage } from '../../releases/release-requests';
import { ReleaseActionBody } from '../schemas/release';
import { loadReleaseForProject } from './release-routes';
import { ProjectReleaseParams } from './route-params';
import { settleOperation } from './settle-operation';
import { enqueueLaterIfDown, switchRoute, WAIT_DESCRIPTION } from './starting-operations';
import { workspaceRoute } from './workspace-route';

const route = createRoute({
  method: 'post',
  path: '/v1/projects/{id}/releases/{releaseId}/advance',
  operationId: 'advanceRelease',
  tags: ['releases'],
  summary: 'Move a running release to its next stage now',
  description:
    'Starts the next stage of the release (with `advance: manual`, what a stage waits for once its time is up; with ' +
    '`automatic`, it cuts the current stage short). Advancing from the stage before the last completes the release: ' +
    'the canary becomes live. The weight change is an operation of its own (`canary_weight`), applied through the ' +
    'routing queue. 409 `release_not_running` for a release that ended, `release_ending` for one being aborted. ' +
    WAIT_DESCRIPTION,
  ...switchRoute(ProjectReleaseParams, ReleaseActionBody),
});

export const registerAdvanceRelease = workspaceRoute(route, async (c, auth, ctx) => {
  const { id, releaseId } = c.req.valid('param');
  const project = await loadProjectForCaller(ctx, auth, id);
  const release = await loadReleaseForProject(ctx, project, releaseId);
  const { operationId, existing } = await requestNextStage(
    { prisma: ctx.prisma, enqueue: enqueueLaterIfDown(ctx, c.get('logger')) },
    release,
    auth.apiKeyId,
    c.req.valid('json')?.reason ?? null,
  );
  if (!existing) c.get('logger').info('release advance requested', { operationId, releaseId, by: auth.apiKeyId });
  const settled = await settleOperation(ctx, operationId, c.req.valid('query').wait);
  return settled.status === 200 ? c.json(settled.body, 200) : c.json(settled.body, 202, { Location: settled.body.links.operation });
});
