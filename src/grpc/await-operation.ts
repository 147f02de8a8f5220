import type { Operation } from '../generated/prisma/client';
import { OperationWaitDeps, waitForOperation } from '../operations/wait-for-operation';

/**
 * The operation row once it is finished, or as it is at `until` or when any of `signals` aborts (still unfinished
 * then). Woken by the operation's events, so it answers as soon as the finish is announced, from any process.
 */
export async function awaitOperation(deps: OperationWaitDeps, operationId: string, until: number, signals: AbortSignal[]): Promise<Operation> {
  const op = await waitForOperation(deps, operationId, Math.max(0, until - Date.now()), signals);
  // The row is written before the flow is enqueued; its absence means it was deleted with its project.
  if (!op) throw new Error(`operation ${operationId} disappeared while waiting for it`);
  return op;
}
