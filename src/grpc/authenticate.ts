import { Metadata, ServerError, ServerMiddleware, Status } from 'nice-grpc';
import { verifyApiKey } from '../auth/api-key';
import type { Db } from '../db/prisma';
import type { Caller } from '../operations/caller';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The caller of a gRPC call from its `authorization: Bearer <key>` metadata.
 * Deploy, Rollback and Promote change what runs and what is live, so only workspace keys with role deployer or admin
 * may call them: the root key manages workspaces only (as in the HTTP API) and viewers only read.
 */
export async function authenticateCall(prisma: Db, metadata: Metadata): Promise<Caller> {
  const header = metadata.get('authorization');
  if (!header) throw new ServerError(Status.UNAUTHENTICATED, 'missing API key: send the metadata authorization: Bearer <api key>');
  const match = BEARER.exec(header);
  if (!match) throw new ServerError(Status.UNAUTHENTICATED, 'malformed authorization metadata: expected "Bearer <api key>"');
  const apiKey = await verifyApiKey(prisma, match[1]);
  if (!apiKey) throw new ServerError(Status.UNAUTHENTICATED, 'invalid or revoked API key');
  if (apiKey.workspaceId === null) {
    throw new ServerError(Status.PERMISSION_DENIED, 'the root key only manages workspaces: use an API key of the workspace with role deployer or admin');
  }
  if (apiKey.role !== 'admin' && apiKey.role !== 'deployer') {
    throw new ServerError(Status.PERMISSION_DENIED, `this API key has role ${apiKey.role}: Deploy, Rollback and Promote need a workspace key with role deployer or admin`);
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
