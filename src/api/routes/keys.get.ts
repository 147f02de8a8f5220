import { loadWorkspaceKey } from '../../auth/key-management';
import { ApiKeySchema, apiKeyView, KeyIdParams } from '../schemas/api-key';
import { okResponses } from '../schemas/common';
import { workspaceRoute } from './workspace-route';
import { keyRoute } from './key-route';

const route = keyRoute('get', '/v1/keys/{id}', 'getApiKey', {
  summary: 'Get one API key of the workspace (admin keys only), never the key itself',
  request: { params: KeyIdParams },
  responses: okResponses('The key', ApiKeySchema, 404),
});

export const registerGetApiKey = workspaceRoute(route, async (c, auth, ctx) => {
  return c.json(apiKeyView(await loadWorkspaceKey(ctx.prisma, auth.workspaceId, c.req.valid('param').id)), 200);
});
