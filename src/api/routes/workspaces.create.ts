import { createRoute, z } from '@hono/zod-openapi';
import { createApiKey } from '../../auth/api-key';
import { newId } from '../../ids';
import { ApiError } from '../../errors';
import { isUniqueViolation } from '../prisma-errors';
import { createdResponses, jsonPostRequest } from '../schemas/common';
import { CreateWorkspaceBody, NewApiKeySchema, WorkspaceSchema, workspaceView } from '../schemas/workspace';
import type { RegisterRoute } from '../types';
import { callableBy } from './callable-by';

const route = createRoute({
  method: 'post',
  path: '/v1/workspaces',
  operationId: 'createWorkspace',
  tags: ['workspaces'],
  summary: 'Create a workspace (root key only) and its first admin API key',
  ...callableBy('root'),
  request: jsonPostRequest(CreateWorkspaceBody),
  responses: createdResponses(
    'The workspace, and its first admin API key in plaintext (shown this once)',
    z.object({ workspace: WorkspaceSchema, apiKey: NewApiKeySchema }).openapi('CreatedWorkspace'),
  ),
});

export const registerCreateWorkspace: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    try {
      const { workspace, key, record } = await ctx.prisma.$transaction(async (tx) => {
        const workspace = await tx.workspace.create({ data: { id: newId('ws'), slug: body.slug, name: body.name } });
        const { key, record } = await createApiKey(tx, { workspaceId: workspace.id, role: 'admin', name: 'first admin key' });
        return { workspace, key, record };
      });
      c.get('logger').info('workspace created', { workspaceId: workspace.id, slug: workspace.slug, by: c.get('auth').apiKeyId });
      return c.json(
        { workspace: workspaceView(workspace), apiKey: { id: record.id, key, prefix: record.prefix, role: 'admin' as const } },
        201,
        { Location: `/v1/workspaces/${workspace.id}` },
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new ApiError('slug_taken', { scope: 'workspace', slug: body.slug }, { details: { field: 'slug' } });
      throw err;
    }
  });
};
