import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/prisma';
import type { ApiKey } from '../generated/prisma/client';
import { newId } from '../ids';
import type { Role } from './auth-context';

const KEY_PREFIX = 'df_';
const SECRET_LENGTH = 32;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Characters of a key kept in the clear for display: `df_` plus 7 of the secret, too few to guess the rest. */
export const DISPLAY_PREFIX_LENGTH = 10;
/** Anything longer is not a key we issued or accept; refusing it keeps hashing cheap. */
const MAX_PRESENTED_LENGTH = 512;

/** The parts of a client (a PrismaClient or a transaction) that key management touches. */
export type ApiKeyStore = Pick<Db, 'apiKey'>;

/** `df_` + 32 base62 characters (~190 bits). Rejection sampling keeps every character equally likely. */
export function generateApiKey(): string {
  let secret = '';
  while (secret.length < SECRET_LENGTH) {
    for (const byte of randomBytes(SECRET_LENGTH * 2)) {
      // 248 = 4 * 62: bytes at or above it would favour the first characters of the alphabet.
      if (byte < 248 && secret.length < SECRET_LENGTH) secret += BASE62[byte % 62];
    }
  }
  return KEY_PREFIX + secret;
}

/** What is stored instead of the key. A plain sha256 suffices: the key is random, not a password. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function displayPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}

export interface CreateApiKeyInput {
  /** null makes a root key. */
  workspaceId: string | null;
  role: Role;
  name?: string;
  /** Past this instant the key is refused; absent: it does not expire. */
  expiresAt?: Date;
  /** The key that created this one (through the API). */
  createdBy?: string;
}

/** Creates a key; the plaintext is returned here once and never stored. */
export async function createApiKey(prisma: ApiKeyStore, input: CreateApiKeyInput): Promise<{ key: string; record: ApiKey }> {
  const key = generateApiKey();
  const record = await prisma.apiKey.create({
    data: {
      id: newId('key'),
      workspaceId: input.workspaceId,
      role: input.role,
      name: input.name ?? null,
      hash: hashApiKey(key),
      prefix: displayPrefix(key),
      expiresAt: input.expiresAt ?? null,
      createdBy: input.createdBy ?? null,
    },
  });
  return { key, record };
}

/** Whether a key may be used at `now`: not revoked, not expired. */
export function isKeyActive(record: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now = new Date()): boolean {
  return !record.revokedAt && (!record.expiresAt || record.expiresAt.getTime() > now.getTime());
}

/**
 * The key record for a presented secret, or null when it is unknown, revoked or expired. Read from the database on
 * every call, never cached: a revocation through any process holds for the very next request everywhere.
 */
export async function verifyApiKey(prisma: ApiKeyStore, presented: string): Promise<ApiKey | null> {
  if (!presented || presented.length > MAX_PRESENTED_LENGTH) return null;
  // Looking up by hash means no comparison of secrets happens in this process, so timing reveals nothing.
  const record = await prisma.apiKey.findUnique({ where: { hash: hashApiKey(presented) } });
  if (!record || !isKeyActive(record)) return null;
  return record;
}

/** Revokes a key; later requests with it answer 401. Returns false when no such unrevoked key exists. */
export async function revokeApiKey(prisma: ApiKeyStore, apiKeyId: string, at = new Date()): Promise<boolean> {
  const { count } = await prisma.apiKey.updateMany({ where: { id: apiKeyId, revokedAt: null }, data: { revokedAt: at } });
  return count === 1;
}

export class RootKeyRevokedError extends Error {
  constructor() {
    super('ROOT_API_KEY names a key that was revoked: configure a new ROOT_API_KEY');
    this.name = 'RootKeyRevokedError';
  }
}

/** Distinct from any other advisory lock number in use: serialises root-key bootstrap across processes. */
const ROOT_KEY_LOCK = 0x64660001;

/**
 * Makes sure a root key exists at start.
 * - ROOT_API_KEY configured: that key is recorded as the root key (only its hash); `created` says whether it was new.
 * - Not configured: when no unrevoked root-role key (no workspace, role admin) exists one is generated and its plaintext
 *   returned, once, for `npm start` to print.
 */
export async function ensureRootKey(prisma: Db, configuredKey?: string): Promise<{ created: boolean; key?: string }> {
  return prisma.$transaction(async (tx) => {
    // Two processes starting at once must not both mint a root key.
    await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(${ROOT_KEY_LOCK})`;
    if (configuredKey) {
      const existing = await tx.apiKey.findUnique({ where: { hash: hashApiKey(configuredKey) } });
      if (existing) {
        if (existing.revokedAt) throw new RootKeyRevokedError();
        if (existing.workspaceId !== null || existing.role !== 'admin') {
          throw new Error('ROOT_API_KEY matches a workspace key: configure a different value');
        }
        return { created: false };
      }
      await tx.apiKey.create({
        data: {
          id: newId('key'),
          workspaceId: null,
          role: 'admin',
          name: 'root (ROOT_API_KEY)',
          hash: hashApiKey(configuredKey),
          prefix: displayPrefix(configuredKey),
        },
      });
      return { created: true };
    }
    // Only a key with the root role counts (no workspace, role admin: what require-auth treats as root). A platform
    // viewer key (`npm run platform-key`) has no workspace either, but cannot create workspaces.
    const root = await tx.apiKey.findFirst({ where: { workspaceId: null, role: 'admin', revokedAt: null } });
    if (root) return { created: false };
    const { key } = await createApiKey(tx, { workspaceId: null, role: 'admin', name: 'root' });
    return { created: true, key };
  });
}
