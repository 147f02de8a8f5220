import { createRoute } from '@hono/zod-openapi';
import { requestUndo } from '../../operations/request-switch';
import { UndoRoutesBody } from '../schemas/route';
import { operationCaller, operationDeps, switchRoute, WAIT_DESCRIPTION } from './starting-operations';
import { ProjectIdParams } from './route-params';
import { settleOperation } from './settle-operation';
import { workspaceRoute } from './workspace-route';

const route = createRoute({
  method: 'post',
  path: '/v1/projects/{id}/routes/undo',
  operationId: 'undoRouteChange',
  tags: ['routing'],
  summary: "Undo the project's last route change",
  description:
    'Re-applies the last route change in reverse through the routing queue: every route it moved goes back, and the ' +
    'live deployment and rollback pin return to what they were. A route changed since by someone else is left alone. ' +
    'Undo is itself a route change, so undoing an undo redoes. Fails with 409 `nothing_to_undo` on a project without changes. ' +
    WAIT_DESCRIPTION,
  ...switchRoute(ProjectIdParams, UndoRoutesBody),
});

export const registerUndoProjectRoutes = workspaceRoute(route, async (c, auth, ctx) => {
  const { id } = c.req.valid('param');
  const { operationId } = await requestUndo(
    operationDeps(ctx, c),
    operationCaller(c, auth),
    id,
    c.req.valid('json').reason,
    c.req.valid('header')['idempotency-key'],
  );
  c.get('logger').info('route undo requested', { operationId, projectId: id, by: auth.apiKeyId });
  const settled = await settleOperation(ctx, operationId, c.req.valid('query').wait);
  return settled.status === 200 ? c.json(settled.body, 200) : c.json(settled.body, 202, { Location: settled.body.links.operation });
});
