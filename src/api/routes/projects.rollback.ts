import { createRoute } from '@hono/zod-openapi';
import { requestSwitch } from '../../operations/request-switch';
import { RollbackBody } from '../../operations/switch-request';
import { operationCaller, operationDeps, switchRoute, WAIT_DESCRIPTION } from './starting-operations';
import { ProjectTargetParams } from './route-params';
import { settleOperation } from './settle-operation';
import { workspaceRoute } from './workspace-route';

const route = createRoute({
  method: 'post',
  path: '/v1/projects/{id}/rollback/{deploymentId}',
  operationId: 'rollbackProject',
  tags: ['routing'],
  summary: 'Roll the project back to an earlier production deployment, and pin it there',
  description:
    'Moves every live, environment and custom route of production to the target and sets the rollback pin: later ' +
    'production deploys become ready without going live, until a promote. The target must be a ready production ' +
    'deployment of the project with running instances (422 otherwise). `expectedSourceDeploymentId` guards against a ' +
    'stale view: 409 `stale_source` when another deployment is live. Rolling back to the live deployment is 409 `already_live`. ' +
    WAIT_DESCRIPTION,
  ...switchRoute(
    ProjectTargetParams,
    RollbackBody.openapi('RollbackRequest', { example: { expectedSourceDeploymentId: 'dep_01jx4q8m2k7d3w9r5t6y0z1a2c', reason: 'v2 breaks checkout' } }),
  ),
});

export const registerRollbackProject = workspaceRoute(route, async (c, auth, ctx) => {
  const { id, deploymentId } = c.req.valid('param');
  const body = c.req.valid('json');
  const { operationId, existing } = await requestSwitch(
    operationDeps(ctx, c),
    operationCaller(c, auth),
    { kind: 'rollback', projectId: id, targetDeploymentId: deploymentId, expectedSourceDeploymentId: body.expectedSourceDeploymentId, reason: body.reason },
    c.req.valid('header')['idempotency-key'],
  );
  if (!existing) c.get('logger').info('rollback requested', { operationId, projectId: id, targetDeploymentId: deploymentId, by: auth.apiKeyId });
  const settled = await settleOperation(ctx, operationId, c.req.valid('query').wait);
  return settled.status === 200 ? c.json(settled.body, 200) : c.json(settled.body, 202, { Location: settled.body.links.operation });
});
