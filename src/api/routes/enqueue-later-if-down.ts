import type { ControlPlaneContext } from '../../context';
import type { Logger } from '../../logger';

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
