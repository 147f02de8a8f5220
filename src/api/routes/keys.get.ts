import { createRoute } from '@hono/zod-openapi';
import { loadWorkspaceKey } from '../../auth/key-management';
import { ApiKeySchema, apiKeyView, KeyIdParams } from '../schemas/api-key';
import { okResponses } from '../schemas/common';
import { callableBy } from './callable-by';
import { workspaceRoute } from './workspace-route';

const route = createRoute({
  method: 'get',
  path: '/v1/keys/{id}',
  operationId: 'getApiKey',
  tags: ['keys'],
  summary: 'Get one API key of the workspace (admin keys only), never the key itself',
  ...callableBy('admin'),
  request: { params: KeyIdParams },
  responses: okResponses('The key', ApiKeySchema, 404),
});

export const registerGetApiKey = workspaceRoute(route, async (c, auth, ctx) => {
  return c.json(apiKeyView(await loadWorkspaceKey(ctx.prisma, auth.workspaceId, c.req.valid('param').id)), 200);
});
