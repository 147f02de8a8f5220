import { ApiKeySchema, apiKeyView } from '../schemas/api-key';
import { okResponses, page, PaginationQuery } from '../schemas/common';
import { newestFirst, pageOf } from './pagination';
import { workspaceRoute } from './workspace-route';
import { keyRoute } from './key-route';

const route = keyRoute('get', '/v1/keys', 'listApiKeys', {
  summary: "List the workspace's API keys, newest first (admin keys only)",
  description:
    'Every key of the workspace, revoked and expired ones included (see `status`), with its prefix, role, name and ' +
    'when it was created, last used (to the minute), expires and was revoked. Never the key or its hash. ' +
    'Cursor pagination as in GET /v1/projects.',
  request: { query: PaginationQuery },
  responses: okResponses('A page of keys', page(ApiKeySchema, 'ApiKeyPage')),
});

export const registerListApiKeys = workspaceRoute(route, async (c, auth, ctx) => {
  const query = c.req.valid('query');
  const rows = await ctx.prisma.apiKey.findMany(newestFirst(query, { workspaceId: auth.workspaceId }));
  const { items, nextCursor } = pageOf(rows, query.limit, (last) => last.id);
  const now = new Date();
  return c.json({ data: items.map((k) => apiKeyView(k, now)), nextCursor }, 200);
});
