import { Metadata, ServerMiddleware } from 'nice-grpc';
import { verifyApiKey } from '../auth/api-key';
import type { Db } from '../db/prisma';
import { ApiError } from '../errors';
import type { Caller } from '../operations/caller';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The caller of a gRPC call from its `authorization: Bearer <key>` metadata.
 * Deploy, Rollback and Promote change what runs and what is live, so only workspace keys with role deployer or admin
 * may call them: the root key manages workspaces only (as in the HTTP API) and viewers only read.
 */
export async function authenticateCall(prisma: Db, metadata: Metadata): Promise<Caller> {
  const header = metadata.get('authorization');
  if (!header) throw new ApiError('unauthorized', { problem: 'missing', via: 'metadata' });
  const match = BEARER.exec(header);
  if (!match) throw new ApiError('unauthorized', { problem: 'malformed', via: 'metadata' });
  const apiKey = await verifyApiKey(prisma, match[1]);
  if (!apiKey) throw new ApiError('unauthorized', { problem: 'invalid', via: 'metadata' });
  if (apiKey.workspaceId === null) {
    throw new ApiError('forbidden', { rule: 'root_manages_workspaces', via: 'grpc' });
  }
  if (apiKey.role !== 'admin' && apiKey.role !== 'deployer') {
    throw new ApiError('forbidden', { rule: 'role', needed: ['deployer', 'admin'], has: apiKey.role, via: 'grpc' });
  }
  return { workspaceId: apiKey.workspaceId, requestedBy: `grpc:${apiKey.id}` };
}

/** Puts the authenticated caller on the call context; calls without a usable key never reach a handler. */
export function requireWorkspaceKey(prisma: Db): ServerMiddleware<{ caller: Caller }> {
  return async function* authenticate(call, context) {
    const caller = await authenticateCall(prisma, context.metadata);
    return yield* call.next(call.request, { ...context, caller });
  };
}
