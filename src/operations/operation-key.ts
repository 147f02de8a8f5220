/**
 * The key stored in Operation.idempotencyKey for a caller's Idempotency-Key: scoped to the workspace and the kind of
 * operation, so two workspaces (or a deploy and a rollback) never collide on the same client key.
 */
export function operationIdempotencyKey(workspaceId: string, kind: 'deploy' | 'rollback' | 'promote' | 'undo', idempotencyKey: string): string {
  return `${workspaceId}:${kind}:${idempotencyKey}`;
}

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}
