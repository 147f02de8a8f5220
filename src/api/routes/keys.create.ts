import { createRoute } from '@hono/zod-openapi';
import { createApiKey } from '../../auth/api-key';
import { workspaceCaller } from '../../auth/permissions';
import { validationError } from '../errors';
import { apiKeyView, CreateApiKeyBody, CreatedApiKeySchema, keyLink } from '../schemas/api-key';
import { errorResponses, IdempotencyKeyHeader, JSON_POST_ERRORS, jsonContent } from '../schemas/common';
import type { RegisterRoute } from '../types';
import { callableBy } from './callable-by';

const route = createRoute({
  method: 'post',
  path: '/v1/keys',
  operationId: 'createApiKey',
  tags: ['keys'],
  summary: 'Create an API key of the workspace (admin keys only); the key is shown once',
  description:
    'For CI, make a `deployer` key; for dashboards and read-only tools, a `viewer` key. The answer carries the key ' +
    'itself, this once: only its hash is stored, and the key list shows its `prefix`. With `expiresAt` the key stops ' +
    'working at that instant.',
  ...callableBy('admin'),
  request: {
    headers: IdempotencyKeyHeader,
    body: { required: true, ...jsonContent(CreateApiKeyBody) },
  },
  responses: {
    201: { description: 'The new key, with the key itself (shown this once)', ...jsonContent(CreatedApiKeySchema) },
    ...errorResponses(...JSON_POST_ERRORS),
  },
});

export const registerCreateApiKey: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = workspaceCaller(c);
    const body = c.req.valid('json');
    const expiresAt = body.expiresAt === undefined ? undefined : new Date(body.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw validationError([{ location: 'body', field: 'expiresAt', message: 'must be in the future' }]);
    }
    const { key, record } = await createApiKey(ctx.prisma, {
      workspaceId: auth.workspaceId,
      role: body.role,
      name: body.name,
      expiresAt,
      createdBy: auth.apiKeyId,
    });
    c.get('logger').info('API key created', { keyId: record.id, role: record.role, workspaceId: auth.workspaceId, by: auth.apiKeyId });
    return c.json({ ...apiKeyView(record), key }, 201, { Location: keyLink(record.id) });
  });
};
