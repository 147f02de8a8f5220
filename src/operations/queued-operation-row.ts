import type { Operation } from '../generated/prisma/client';

/** What a request's own INSERT sets of an operation row; every other column is at its default. */
export type QueuedOperationFields = Pick<
  Operation,
  'id' | 'kind' | 'projectId' | 'deploymentId' | 'sourceDeploymentId' | 'idempotencyKey' | 'requestHash' | 'requestedBy' | 'requestId' | 'reason' | 'createdAt'
>;

/**
 * The operation row a request's raw INSERT just wrote, as Prisma's create would have returned it (the columns it did
 * not set at their defaults: queued, nothing started, no result), so the engine is handed the row instead of reading
 * it back.
 */
export function queuedOperationRow(fields: QueuedOperationFields): Operation {
  return {
    ...fields,
    state: 'queued',
    errorCode: null,
    errorMessage: null,
    result: null,
    releaseId: null,
    canaryWeight: null,
    healthWatchSeconds: null,
    startedAt: null,
    finishedAt: null,
  };
}
