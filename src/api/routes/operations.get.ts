import { waitForOperation } from '../../operations/wait-for-operation';
import { okResponses } from '../schemas/common';
import { OperationSchema } from '../schemas/operation';
import { WaitQuery } from '../schemas/wait';
import { describeOperation, loadOperationForCaller } from './caller-resources';
import { OperationIdParams } from './route-params';
import { workspaceRoute } from './workspace-route';
import { readRoute } from './read-route';

const route = readRoute('operations', '/v1/operations/{id}', 'getOperation', {
  summary: 'Get an operation (deploy, rollback, promote, undo) with its steps; ?wait=N long-polls until it finishes',
  description:
    '`?wait=N` (0 to 30 seconds) holds the request until the operation finished or N seconds passed, then answers ' +
    'its state either way (200). A failed operation is a successful read: its `error` says why.',
  request: { params: OperationIdParams, query: WaitQuery },
  responses: okResponses('The operation', OperationSchema, 404),
});

export const registerGetOperation = workspaceRoute(route, async (c, auth, ctx) => {
  let op = await loadOperationForCaller(ctx, auth, c.req.valid('param').id);
  const { wait } = c.req.valid('query');
  if (wait > 0) op = (await waitForOperation({ prisma: ctx.prisma, watcher: ctx.watcher }, op.id, wait * 1000)) ?? op;
  return c.json(await describeOperation(ctx, op), 200);
});
