import { createRoute } from '@hono/zod-openapi';
import { workspaceCaller } from '../../auth/permissions';
import { ApiKeySchema, apiKeyView } from '../schemas/api-key';
import { AUTHENTICATED_ERRORS, errorResponses, jsonContent, page, PaginationQuery } from '../schemas/common';
import type { RegisterRoute } from '../types';
import { callableBy } from './callable-by';

const route = createRoute({
  method: 'get',
  path: '/v1/keys',
  operationId: 'listApiKeys',
  tags: ['keys'],
  summary: "List the workspace's API keys, newest first (admin keys only)",
  description:
    'Every key of the workspace, revoked and expired ones included (see `status`), with its prefix, role, name and ' +
    'when it was created, last used (to the minute), expires and was revoked. Never the key or its hash. ' +
    'Cursor pagination as in GET /v1/projects.',
  ...callableBy('admin'),
  request: { query: PaginationQuery },
  responses: {
    200: { description: 'A page of keys', ...jsonContent(page(ApiKeySchema, 'ApiKeyPage')) },
    ...errorResponses(...AUTHENTICATED_ERRORS),
  },
});

export const registerListApiKeys: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = workspaceCaller(c);
    const { limit, cursor } = c.req.valid('query');
    const rows = await ctx.prisma.apiKey.findMany({
      where: { workspaceId: auth.workspaceId, ...(cursor ? { id: { lt: cursor } } : {}) },
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const now = new Date();
    return c.json({ data: items.map((k) => apiKeyView(k, now)), nextCursor: more ? items[items.length - 1].id : null }, 200);
  });
};
