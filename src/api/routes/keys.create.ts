import { createApiKey } from '../../auth/api-key';
import { validationError } from '../errors';
import { apiKeyView, CreateApiKeyBody, CreatedApiKeySchema, keyLink } from '../schemas/api-key';
import { createdResponses, jsonPostRequest } from '../schemas/common';
import { workspaceRoute } from './workspace-route';
import { keyRoute } from './key-route';

const route = keyRoute('post', '/v1/keys', 'createApiKey', {
  summary: 'Create an API key of the workspace (admin keys only); the key is shown once',
  description:
    'For CI, make a `deployer` key; for dashboards and read-only tools, a `viewer` key. The answer carries the key ' +
    'itself, this once: only its hash is stored, and the key list shows its `prefix`. With `expiresAt` the key stops ' +
    'working at that instant.',
  request: jsonPostRequest(CreateApiKeyBody),
  responses: createdResponses('The new key, with the key itself (shown this once)', CreatedApiKeySchema),
});

/**
 * The latest expiry a key can have: a timestamp after the year 9999 (UTC) is stored, but reads back as no date at all,
 * and every answer that shows the key would fail on it.
 */
const LATEST_EXPIRY = new Date('9999-12-31T23:59:59.999Z');

export const registerCreateApiKey = workspaceRoute(route, async (c, auth, ctx) => {
  const body = c.req.valid('json');
  const expiresAt = body.expiresAt === undefined ? undefined : new Date(body.expiresAt);
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw validationError([{ location: 'body', field: 'expiresAt', message: 'must be in the future' }]);
  }
  if (expiresAt && expiresAt.getTime() > LATEST_EXPIRY.getTime()) {
    throw validationError([{ location: 'body', field: 'expiresAt', message: `must be at most ${LATEST_EXPIRY.toISOString()}` }]);
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
