import { createRoute, z } from '@hono/zod-openapi';
import { workspaceCaller } from '../../auth/permissions';
import { waitForOperation } from '../../operations/wait-for-operation';
import { AUTHENTICATED_ERRORS, errorResponses, IdOrSlugParam, jsonContent } from '../schemas/common';
import { OperationSchema } from '../schemas/operation';
import { WaitQuery } from '../schemas/wait';
import type { RegisterRoute } from '../types';
import { describeOperation, loadOperationForCaller } from './caller-resources';
import { callableBy } from './callable-by';

const route = createRoute({
  method: 'get',
  path: '/v1/operations/{id}',
  operationId: 'getOperation',
  tags: ['operations'],
  summary: 'Get an operation (deploy, rollback, promote, undo) with its steps; ?wait=N long-polls until it finishes',
  description:
    '`?wait=N` (0 to 30 seconds) holds the request until the operation finished or N seconds passed, then answers ' +
    'its state either way (200). A failed operation is a successful read: its `error` says why.',
  ...callableBy('admin', 'deployer', 'viewer'),
  request: {
    params: z.object({
      id: IdOrSlugParam.openapi({ param: { name: 'id', in: 'path' }, description: 'Operation id (`op_…`)', example: 'op_01h2xcejqtf2nbrexx3vqjhp41' }),
    }),
    query: WaitQuery,
  },
  responses: {
    200: { description: 'The operation', ...jsonContent(OperationSchema) },
    ...errorResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export const registerGetOperation: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = workspaceCaller(c);
    let op = await loadOperationForCaller(ctx, auth, c.req.valid('param').id);
    const { wait } = c.req.valid('query');
    if (wait > 0) op = (await waitForOperation({ prisma: ctx.prisma, watcher: ctx.watcher }, op.id, wait * 1000)) ?? op;
    return c.json(await describeOperation(ctx, op), 200);
  });
};
