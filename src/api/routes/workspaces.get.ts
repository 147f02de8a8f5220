import { createRoute } from '@hono/zod-openapi';
import { authOf } from '../../auth/permissions';
import { ID_PATTERN } from '../../ids';
import { ApiError } from '../../errors';
import { BEARER_SECURITY, okResponses } from '../schemas/common';
import { WorkspaceSchema, workspaceView } from '../schemas/workspace';
import type { RegisterRoute } from '../types';
import { WorkspaceIdParams } from './route-params';

const route = createRoute({
  method: 'get',
  path: '/v1/workspaces/{id}',
  operationId: 'getWorkspace',
  tags: ['workspaces'],
  summary: 'Get a workspace by id or slug: the root key any, a workspace key its own',
  description: 'Where POST /v1/workspaces points its `Location`. Any other workspace answers 404, as one that does not exist.',
  security: BEARER_SECURITY,
  request: { params: WorkspaceIdParams },
  responses: okResponses('The workspace', WorkspaceSchema, 404),
});

export const registerGetWorkspace: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = authOf(c);
    const idOrSlug = c.req.valid('param').id;
    const byId = ID_PATTERN.test(idOrSlug) && idOrSlug.startsWith('ws_');
    const workspace = await ctx.prisma.workspace.findFirst({ where: byId ? { id: idOrSlug } : { slug: idOrSlug } });
    // A platform viewer key (no workspace, not root) sees none; a workspace key only its own.
    const visible = workspace && (auth.isRoot || auth.workspaceId === workspace.id);
    if (!visible) throw new ApiError('not_found', { what: 'workspace', id: idOrSlug, quoted: true });
    return c.json(workspaceView(workspace), 200);
  });
};
