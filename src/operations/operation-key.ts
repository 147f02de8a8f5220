import { createHash } from 'node:crypto';
import type { Db } from '../db/prisma';
import { UnprocessableError } from '../errors';

/**
 * The key stored in Operation.idempotencyKey for a caller's Idempotency-Key: scoped to the workspace and the kind of
 * operation, so two workspaces (or a deploy and a rollback) never collide on the same client key.
 */
export function operationIdempotencyKey(workspaceId: string, kind: 'deploy' | 'rollback' | 'promote' | 'undo', idempotencyKey: string): string {
  return `${workspaceId}:${kind}:${idempotencyKey}`;
}

/** A stable hash of what was asked (keys sorted), stored beside the idempotency key. */
export function requestHash(kind: string, request: unknown): string {
  return createHash('sha256').update(`${kind}\n${stableJson(request)}`).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The operation an idempotency key already names, if any; the same key with a different request is refused (422). */
export async function operationForKey(
  prisma: Db,
  opKey: string | undefined,
  hash: string,
): Promise<{ id: string; deploymentId: string | null } | undefined> {
  if (!opKey) return undefined;
  const earlier = await prisma.operation.findUnique({ where: { idempotencyKey: opKey }, select: { id: true, deploymentId: true, requestHash: true } });
  if (!earlier) return undefined;
  if (earlier.requestHash && earlier.requestHash !== hash) {
    throw new UnprocessableError('idempotency_key_reused');
  }
  return earlier;
}

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}
