import type { ControlPlaneContext } from '../../context';
import type { Operation } from '../../generated/prisma/client';
import { waitForOperation } from '../../operations/wait-for-operation';
import { isFinished } from '../../statuses';
import { ApiError, OperationEndedError } from '../../errors';
import { OperationAcceptedView, operationLink, OperationView } from '../schemas/operation';
import { describeOperation } from './caller-resources';

/** The answer to give: 202 with the accepted operation, or 200 with the operation that finished successfully. */
export type Settled = { status: 202; body: OperationAcceptedView } | { status: 200; body: OperationView };

export function accepted(op: Pick<Operation, 'id' | 'state'>): OperationAcceptedView {
  return { operationId: op.id, state: op.state, links: { operation: operationLink(op.id) } };
}

/**
 * Waits up to `waitSeconds` for an operation the caller just asked for. Not waiting, or still running: the 202 answer. Succeeded: the
 * operation. Ended any other way: thrown as the error the operation ended with (409 stale source, 422 not ready …),
 * with the operation in `details`, so the caller gets the same answer it would have had if the check had run at once.
 */
export async function settleOperation(ctx: ControlPlaneContext, operationId: string, waitSeconds: number): Promise<Settled> {
  if (waitSeconds === 0) {
    // Not waiting is always the 202, whatever the state by now: the answer does not depend on how fast the flow was.
    const op = await ctx.prisma.operation.findUnique({ where: { id: operationId }, select: { id: true, state: true } });
    if (!op) throw new ApiError('not_found', { what: 'operation', id: operationId });
    return { status: 202, body: accepted(op) };
  }
  const op = await waitForOperation({ prisma: ctx.prisma, watcher: ctx.watcher }, operationId, waitSeconds * 1000);
  if (!op) throw new ApiError('not_found', { what: 'operation', id: operationId });
  if (!isFinished(op)) return { status: 202, body: accepted(op) };
  const operation = await describeOperation(ctx, op);
  if (op.state === 'succeeded') return { status: 200, body: operation };
  throw new OperationEndedError(op, { operationId: op.id, state: op.state, operation });
}
