import { createRoute } from '@hono/zod-openapi';
import { requestSwitch } from '../../operations/request-switch';
import { PromoteBody } from '../../operations/switch-request';
import { operationCaller, operationDeps, switchRoute, WAIT_DESCRIPTION } from './starting-operations';
import { ProjectTargetParams } from './route-params';
import { settleOperation } from './settle-operation';
import { workspaceRoute } from './workspace-route';

const route = createRoute({
  method: 'post',
  path: '/v1/projects/{id}/promote/{deploymentId}',
  operationId: 'promoteDeployment',
  tags: ['routing'],
  summary: 'Make a production deployment live, and clear the rollback pin',
  description:
    'Moves every live, environment and custom route of production to the target, sets it live and clears the pin. ' +
    'The target must be a ready production deployment of the project with running instances (422 otherwise). ' +
    'Promoting the live deployment of a pinned project confirms it (clears the pin, moves nothing); of an unpinned ' +
    'project it is 409 `already_live`. ' +
    WAIT_DESCRIPTION,
  ...switchRoute(ProjectTargetParams, PromoteBody.openapi('PromoteRequest')),
});

export const registerPromoteProject = workspaceRoute(route, async (c, auth, ctx) => {
  const { id, deploymentId } = c.req.valid('param');
  const { operationId, existing } = await requestSwitch(
    operationDeps(ctx, c),
    operationCaller(c, auth),
    { kind: 'promote', projectId: id, targetDeploymentId: deploymentId, reason: c.req.valid('json').reason },
    c.req.valid('header')['idempotency-key'],
  );
  if (!existing) c.get('logger').info('promote requested', { operationId, projectId: id, targetDeploymentId: deploymentId, by: auth.apiKeyId });
  const settled = await settleOperation(ctx, operationId, c.req.valid('query').wait);
  return settled.status === 200 ? c.json(settled.body, 200) : c.json(settled.body, 202, { Location: settled.body.links.operation });
});
