import { ServerError, ServerMiddleware, Status } from 'nice-grpc';
import { ApiError, endingCodeOf, ErrorCode, grpcStatusNameOf, isCatalogued, isErrorCode, logFieldsOf, RetryableError } from '../errors';
import type { Operation, OperationState } from '../generated/prisma/client';
import type { Logger } from '../logger';

/**
 * Where deployflow's errors and operation outcomes become gRPC status codes. The status of every code is in the
 * error catalogue (`src/errors/catalogue.ts`), chosen for what the caller can do next:
 * - NOT_FOUND: the deployment (or project) does not exist or belongs to another workspace (never said which).
 * - ABORTED: the caller's view is stale (`stale_source`), or the switch was overtaken: read the state again, then retry.
 * - FAILED_PRECONDITION: well-formed, but the state does not allow it (not ready, not production, already live,
 *   no running instances …): retrying the same call will not help until the state changes.
 * - UNAVAILABLE: a passing condition (every retryable code): retry later.
 * - INTERNAL: anything unexpected; the client gets a generic message, the log gets the real one.
 */
export function grpcStatusOf(code: ErrorCode): Status {
  return Status[grpcStatusNameOf(code)];
}

/** The status of a code an operation stored when it failed; a code this version does not know is FAILED_PRECONDITION. */
export function statusOfErrorCode(code: string | null | undefined): Status {
  return grpcStatusOf(isErrorCode(code) ? code : 'operation_failed');
}

export function toServerError(err: unknown, logger: Logger, method: string): ServerError {
  if (err instanceof ServerError) return err;
  if (err instanceof RetryableError) {
    logger.warn('grpc call hit a passing failure', { method, ...logFieldsOf(err) });
    return new ServerError(grpcStatusOf(err.code), `${err.message}: try again shortly`);
  }
  // Ours, and the engine's own errors (a malformed job, an unknown operation kind), whose codes the catalogue has too.
  if (isCatalogued(err)) return new ServerError(grpcStatusOf(err.code), err.message);
  logger.error('grpc call failed unexpectedly', { method, ...logFieldsOf(err), stack: err instanceof Error ? err.stack : undefined });
  return toServerError(new ApiError('internal', { via: 'grpc' }), logger, method);
}

/**
 * What a finished rollback/promote operation means for the call: null when it succeeded (the routes are switched),
 * otherwise the error to answer with. The message carries the operation id so the timeline can be looked up.
 */
export function operationOutcomeError(op: Pick<Operation, 'id' | 'kind' | 'state' | 'errorCode' | 'errorMessage'>): ServerError | null {
  const state: OperationState = op.state;
  switch (state) {
    case 'succeeded':
      return null;
    case 'failed':
      return new ServerError(grpcStatusOf(endingCodeOf(op)), `${op.kind} ${op.id} failed: ${op.errorMessage ?? op.errorCode ?? 'no reason recorded'}`);
    case 'cancelled':
    case 'superseded':
      // Not refused on its merits: something else changed the project meanwhile. Reading the state again tells what.
      return new ServerError(
        grpcStatusOf(endingCodeOf({ ...op, errorCode: null })),
        `${op.kind} ${op.id} was ${op.state} before it switched the routes: read the project's live deployment and retry if still needed`,
      );
    case 'queued':
    case 'running':
      return new ServerError(Status.INTERNAL, `${op.kind} ${op.id} is still ${op.state}`);
    default:
      return unreachable(state);
  }
}

/** A switch over a closed union that forgot a member stops compiling here. */
function unreachable(value: never): never {
  throw new Error(`unhandled value ${String(value)}`);
}

/** Outermost middleware: whatever a handler throws leaves as a ServerError with a status a client can act on. */
export function errorsAsStatus(logger: Logger): ServerMiddleware {
  return async function* mapErrors(call, context) {
    try {
      return yield* call.next(call.request, context);
    } catch (err) {
      throw toServerError(err, logger, call.method.path);
    }
  };
}
