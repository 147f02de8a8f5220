import { ApiError } from '../errors';
import type { Db } from '../db/prisma';
import type { ApiKey } from '../generated/prisma/client';
import { isKeyActive } from './api-key';

/** The answer for a key that is not the caller's workspace's: the same for another workspace's key and for no key. */
function keyNotFound(keyId: string): ApiError {
  return new ApiError('not_found', { what: 'API key', id: keyId, quoted: true });
}

/** A key of the workspace, by id; 404 for anything else (another workspace's key, a root or platform key, no key). */
export async function loadWorkspaceKey(prisma: Db, workspaceId: string, keyId: string): Promise<ApiKey> {
  const key = await prisma.apiKey.findFirst({ where: { id: keyId, workspaceId } });
  if (!key) throw keyNotFound(keyId);
  return key;
}

export interface RevokeOutcome {
  key: ApiKey;
  /** It was revoked before: nothing changed. */
  alreadyRevoked: boolean;
}

/**
 * Revokes a key of the workspace at once (the next request with it, to any process, is a 401: keys are read from the
 * database on every request). The workspace's last active admin key is refused with 409 `last_admin_key`: nobody
 * else can mint a workspace key (the root key only manages workspaces), so revoking it would lock the workspace out
 * for good. Revocations of one workspace take its row lock, so two admins revoking each other's key at the same
 * moment cannot both pass that check.
 */
export async function revokeWorkspaceKey(prisma: Db, workspaceId: string, keyId: string, now = new Date()): Promise<RevokeOutcome> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Workspace" WHERE id = ${workspaceId} FOR UPDATE`;
    const key = await tx.apiKey.findFirst({ where: { id: keyId, workspaceId } });
    if (!key) throw keyNotFound(keyId);
    if (key.revokedAt) return { key, alreadyRevoked: true };
    if (key.role === 'admin' && isKeyActive(key, now)) {
      const otherAdmins = await tx.apiKey.count({
        where: { workspaceId, role: 'admin', id: { not: keyId }, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      });
      if (otherAdmins === 0) {
        throw new ApiError('last_admin_key', undefined, { details: { keyId } });
      }
    }
    const revoked = await tx.apiKey.update({ where: { id: keyId }, data: { revokedAt: now } });
    return { key: revoked, alreadyRevoked: false };
  });
}
