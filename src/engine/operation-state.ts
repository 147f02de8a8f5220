import type { Db } from '../db/prisma';
import { UNFINISHED_STATES } from '../statuses';

/** queued → running, once; a no-op afterwards. */
export async function markOperationRunning(prisma: Db, operationId: string): Promise<void> {
  await prisma.operation.updateMany({ where: { id: operationId, state: 'queued' }, data: { state: 'running', startedAt: new Date() } });
}

/** Ends an operation once: a finished operation is never rewritten. */
export async function finishOperation(
  prisma: Db,
  operationId: string,
  state: 'succeeded' | 'failed' | 'cancelled' | 'superseded',
  details: { errorCode?: string; errorMessage?: string; result?: object } = {},
): Promise<boolean> {
  const { count } = await prisma.operation.updateMany({
    where: { id: operationId, state: { in: UNFINISHED_STATES } },
    data: { state, finishedAt: new Date(), errorCode: details.errorCode, errorMessage: details.errorMessage, result: details.result },
  });
  return count === 1;
}
