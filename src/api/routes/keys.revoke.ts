import { revokeWorkspaceKey } from '../../auth/key-management';
import { ApiKeySchema, apiKeyView, KeyIdParams } from '../schemas/api-key';
import { okResponses } from '../schemas/common';
import { workspaceRoute } from './workspace-route';
import { keyRoute } from './key-route';

const route = keyRoute('delete', '/v1/keys/{id}', 'revokeApiKey', {
  summary: 'Revoke an API key of the workspace at once (admin keys only)',
  description:
    'The key stops working immediately, on every API and gRPC server: the next request with it is a 401. Revoking a ' +
    'revoked key changes nothing and answers the same. The workspace\'s last active admin key cannot be revoked ' +
    '(409 `last_admin_key`): create another admin key first, since nobody else can give the workspace a new key.',
  request: { params: KeyIdParams },
  responses: okResponses('The revoked key', ApiKeySchema, 404, 409),
});

export const registerRevokeApiKey = workspaceRoute(route, async (c, auth, ctx) => {
  const { key, alreadyRevoked } = await revokeWorkspaceKey(ctx.prisma, auth.workspaceId, c.req.valid('param').id);
  if (!alreadyRevoked) c.get('logger').info('API key revoked', { keyId: key.id, role: key.role, workspaceId: auth.workspaceId, by: auth.apiKeyId });
  return c.json(apiKeyView(key), 200);
});
