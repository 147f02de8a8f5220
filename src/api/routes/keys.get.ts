import { createRoute } from '@hono/zod-openapi';
import { loadWorkspaceKey } from '../../auth/key-management';
import { workspaceCaller } from '../../auth/permissions';
import { ApiKeySchema, apiKeyView, KeyIdParams } from '../schemas/api-key';
import { AUTHENTICATED_ERRORS, errorResponses, jsonContent } from '../schemas/common';
import type { RegisterRoute } from '../types';
import { callableBy } from './callable-by';

const route = createRoute({
  method: 'get',
  path: '/v1/keys/{id}',
  operationId: 'getApiKey',
  tags: ['keys'],
  summary: 'Get one API key of the workspace (admin keys only), never the key itself',
  ...callableBy('admin'),
  request: { params: KeyIdParams },
  responses: {
    200: { description: 'The key', ...jsonContent(ApiKeySchema) },
    ...errorResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export const registerGetApiKey: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = workspaceCaller(c);
    return c.json(apiKeyView(await loadWorkspaceKey(ctx.prisma, auth.workspaceId, c.req.valid('param').id)), 200);
  });
};
