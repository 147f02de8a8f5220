import type { OperationState } from '../generated/prisma/client';
import type { StateWriter } from './engine-deps';

export const FINISHED_OPERATION_STATES: OperationState[] = ['succeeded', 'failed', 'cancelled', 'superseded'];

/** queued → running, once; a no-op afterwards. */
export async function markOperationRunning({ prisma, events }: StateWriter, operationId: string): Promise<void> {
  const { count } = await prisma.operation.updateMany({ where: { id: operationId, state: 'queued' }, data: { state: 'running', startedAt: new Date() } });
  if (count) events.publish({ type: 'operation', operationId, state: 'running' });
}

/** Ends an operation once: a finished operation is never rewritten. */
export async function finishOperation(
  { prisma, events }: StateWriter,
  operationId: string,
  state: 'succeeded' | 'failed' | 'cancelled' | 'superseded',
  details: { errorCode?: string; errorMessage?: string; result?: object } = {},
): Promise<boolean> {
  // RETURNING what the announcement needs (a deploy's finish also reaches its deployment's event stream): no extra read.
  const ended = await prisma.operation.updateManyAndReturn({
    where: { id: operationId, state: { in: ['queued', 'running'] } },
    data: { state, finishedAt: new Date(), errorCode: details.errorCode, errorMessage: details.errorMessage, result: details.result },
    select: { kind: true, deploymentId: true },
  });
  if (ended.length === 1) events.publish({ type: 'operation', operationId, state, kind: ended[0].kind, deploymentId: ended[0].deploymentId });
  return ended.length === 1;
}
