import { createRoute } from '@hono/zod-openapi';
import { workspaceCaller } from '../../auth/permissions';
import { requestSwitch } from '../../operations/request-switch';
import { PromoteBody } from '../../operations/switch-request';
import { IdempotencyKeyHeader, jsonContent } from '../schemas/common';
import { WaitQuery } from '../schemas/wait';
import type { RegisterRoute } from '../types';
import { enqueueLaterIfDown, SWITCH_RESPONSES, WAIT_DESCRIPTION } from './starting-operations';
import { ProjectTargetParams } from './route-params';
import { settleOperation } from './settle-operation';
import { callableBy } from './callable-by';

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
  ...callableBy('admin', 'deployer'),
  request: {
    params: ProjectTargetParams,
    query: WaitQuery,
    headers: IdempotencyKeyHeader,
    body: { required: false, ...jsonContent(PromoteBody.openapi('PromoteRequest')) },
  },
  responses: SWITCH_RESPONSES,
});

export const registerPromoteProject: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = workspaceCaller(c);
    const { id, deploymentId } = c.req.valid('param');
    const { operationId, existing } = await requestSwitch(
      { prisma: ctx.prisma, enqueue: enqueueLaterIfDown(ctx, c.get('logger')) },
      { workspaceId: auth.workspaceId, requestedBy: auth.apiKeyId, requestId: c.get('requestId') },
      { kind: 'promote', projectId: id, targetDeploymentId: deploymentId, reason: c.req.valid('json').reason },
      c.req.valid('header')['idempotency-key'],
    );
    if (!existing) c.get('logger').info('promote requested', { operationId, projectId: id, targetDeploymentId: deploymentId, by: auth.apiKeyId });
    const settled = await settleOperation(ctx, operationId, c.req.valid('query').wait);
    return settled.status === 200 ? c.json(settled.body, 200) : c.json(settled.body, 202, { Location: settled.body.links.operation });
  });
};
