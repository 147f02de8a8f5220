/** What the routes that start an operation share: how they enqueue it, and (rollback, promote, undo) their answers. */
import type { ControlPlaneContext } from '../../context';
import type { Logger } from '../../logger';
import { errorResponses, JSON_POST_ERRORS, jsonContent } from '../schemas/common';
import { OperationAcceptedSchema, OperationSchema } from '../schemas/operation';

/** Responses of the routes that start a routing operation and may wait for it (rollback, promote, undo). */
export const SWITCH_RESPONSES = {
  200: { description: 'With ?wait: the operation finished and succeeded', ...jsonContent(OperationSchema) },
  202: { description: 'Accepted: the operation is queued or running', ...jsonContent(OperationAcceptedSchema) },
  ...errorResponses(...JSON_POST_ERRORS, 404),
};

export const WAIT_DESCRIPTION =
  '`?wait=N` (0 to 30 seconds) waits for the operation: 200 with the operation when it succeeded, the error it ended ' +
  'with when it failed (its `code` and `message`, the operation in `details`), 202 when it is still running.';

/**
 * The enqueue handed to the operation services. The operation row is committed before this runs; if Redis refuses the
 * flow now, the reconciler enqueues every unfinished operation whose flow is missing, so the request is still
 * accepted (202) rather than answered with a 5xx for work that will happen anyway.
 */
export function enqueueLaterIfDown(ctx: ControlPlaneContext, logger: Logger = ctx.logger): (operationId: string) => Promise<void> {
  return async (operationId) => {
    try {
      await ctx.operations.enqueue(operationId);
    } catch (err) {
      logger.warn('could not enqueue an operation now; the reconciler will', { operationId, error: err instanceof Error ? err.message : String(err) });
    }
  };
}
