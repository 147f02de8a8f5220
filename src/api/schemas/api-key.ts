import { z } from '@hono/zod-openapi';
import type { ApiKey } from '../../generated/prisma/client';
import { ApiKeyRole } from '../../generated/prisma/enums';
import { ID_PATTERN } from '../../ids';
import { nonBlankLineText } from '../../operations/text';
import { Timestamp } from './common';

const KEY_ID_EXAMPLE = 'key_01jx4m7k2q9d3w8r5t6y0z1a2b';

export const ApiKeyRoleSchema = z.enum(ApiKeyRole).openapi('ApiKeyRole', {
  description: '`admin`: everything in the workspace, keys included; `deployer`: projects, deploys, rollbacks, promotes; `viewer`: read only.',
  example: 'deployer',
});

export const CreateApiKeyBody = z
  .strictObject({
    name: nonBlankLineText(100).openapi({ description: 'What the key is for, shown in the key list.', example: 'github-actions-shop' }),
    role: ApiKeyRoleSchema,
    expiresAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z' })
      .optional()
      .openapi({ description: 'When the key stops working: in the future, and at most 9999-12-31T23:59:59.999Z. Omit for a key that does not expire.', example: '2027-01-31T00:00:00Z' }),
  })
  .openapi('CreateApiKeyRequest', { example: { name: 'github-actions-shop', role: 'deployer', expiresAt: '2027-01-31T00:00:00Z' } });

export const ApiKeyStatusSchema = z.enum(['active', 'revoked', 'expired']).openapi('ApiKeyStatus');

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: KEY_ID_EXAMPLE }),
    prefix: z.string().openapi({ description: 'The first characters of the key, to tell keys apart. The key itself is never shown again.', example: 'df_7Hq2mZx' }),
    role: ApiKeyRoleSchema,
    name: z.string().nullable().openapi({ example: 'github-actions-shop' }),
    status: ApiKeyStatusSchema,
    createdAt: Timestamp,
    createdBy: z.string().nullable().openapi({ description: 'The key that created this one (null: made with the workspace).', example: 'key_01jx4k9p3s8f2h6n0c5v7b1m4q' }),
    lastUsedAt: Timestamp.nullable().openapi({ description: 'When the key was last presented, to the minute.' }),
    expiresAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .openapi('ApiKey');

export type ApiKeyView = z.infer<typeof ApiKeySchema>;

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The key itself. Shown only in this answer: only its hash is stored.', example: 'df_7Hq2mZx4kP9wLr3tYb8vNc1sDf6gJh0e' }),
}).openapi('CreatedApiKey');

export const KeyIdParams = z.object({
  id: z
    .string()
    .regex(ID_PATTERN, 'must be an API key id such as key_01jx4m7k2q9d3w8r5t6y0z1a2b')
    .openapi({ param: { name: 'id', in: 'path' }, description: 'API key id (`key_…`)', example: KEY_ID_EXAMPLE }),
});

export function apiKeyView(k: ApiKey, now = new Date()): ApiKeyView {
  const status = k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
  return {
    id: k.id,
    prefix: k.prefix,
    role: k.role,
    name: k.name,
    status,
    createdAt: k.createdAt.toISOString(),
    createdBy: k.createdBy,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

export function keyLink(keyId: string): string {
  return `/v1/keys/${keyId}`;
}
