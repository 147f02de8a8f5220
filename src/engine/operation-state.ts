import type { Db } from '../db/prisma';
import type { OperationState } from '../generated/prisma/client';

export const FINISHED_OPERATION_STATES: OperationState[] = ['succeeded', 'failed', 'cancelled', 'superseded'];

/** queued → running, once; a no-op afterwards. */
export async function markOperationRunning(prisma: Db, operationId: string): Promise<void> {
  await prisma.operation.updateMany({ where: { id: operationId, state: 'queued' }, data: { state: 'running', startedAt: new Date() } });
}

/**
 * How long a finished operation took, from its request being accepted (queue time included: what the requester
 * waited) to its end; undefined while it runs.
 */
export async function operationDurationMs(prisma: Db, operationId: string): Promise<number | undefined> {
  const op = await prisma.operation.findUnique({ where: { id: operationId }, select: { createdAt: true, finishedAt: true } });
  return op?.finishedAt ? Math.max(0, op.finishedAt.getTime() - op.createdAt.getTime()) : undefined;
}

/** Ends an operation once: a finished operation is never rewritten. */
export async function finishOperation(
  prisma: Db,
  operationId: string,
  state: 'succeeded' | 'failed' | 'cancelled' | 'superseded',
  details: { errorCode?: string; errorMessage?: string; result?: object } = {},
): Promise<boolean> {
  const { count } = await prisma.operation.updateMany({
    where: { id: operationId, state: { in: ['queued', 'running'] } },
    data: { state, finishedAt: new Date(), errorCode: details.errorCode, errorMessage: details.errorMessage, result: details.result },
  });
  return count === 1;
}
