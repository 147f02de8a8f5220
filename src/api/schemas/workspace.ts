import { z } from '@hono/zod-openapi';
import type { Workspace } from '../../generated/prisma/client';
import { DisplayName, RECORD_TIMES, Slug } from './common';

export const WorkspaceSchema = z
  .object({
    id: z.string().openapi({ example: 'ws_01h2xcejqtf2nbrexx3vqjhp41' }),
    slug: z.string(),
    name: z.string(),
    ...RECORD_TIMES,
  })
  .openapi('Workspace');

export type WorkspaceView = z.infer<typeof WorkspaceSchema>;

export const CreateWorkspaceBody = z
  .strictObject({
    slug: Slug.openapi({ description: 'Globally unique, DNS-safe: it becomes part of hostnames.' }),
    name: DisplayName,
  })
  .openapi('CreateWorkspaceRequest', { example: { slug: 'acme', name: 'Acme Inc.' } });

export const NewApiKeySchema = z
  .object({
    id: z.string().openapi({ example: 'key_01h2xcejqtf2nbrexx3vqjhp41' }),
    key: z.string().openapi({ description: 'The key itself. Shown only in this response; only its hash is stored.', example: 'df_3xAmPLe0000000000000000000000000' }),
    prefix: z.string().openapi({ description: 'First characters of the key, for telling keys apart.', example: 'df_3xAmPLe' }),
    role: z.enum(['admin', 'deployer', 'viewer']),
  })
  .openapi('NewApiKey');

export function workspaceView(w: Workspace): WorkspaceView {
  return { id: w.id, slug: w.slug, name: w.name, createdAt: w.createdAt.toISOString(), updatedAt: w.updatedAt.toISOString() };
}
