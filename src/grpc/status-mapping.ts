import { ServerError, ServerMiddleware, Status } from 'nice-grpc';
import { ConflictError, DeployflowError, NotFoundError, RetryableError, TerminalError, UnprocessableError } from '../errors';
import type { Operation } from '../generated/prisma/client';
import type { Logger } from '../logger';

/**
 * The one place where deployflow's errors and operation outcomes become gRPC status codes.
 * Callers of the gRPC API act on the code (retry, reload, give up), so the mapping is deliberate:
 * - NOT_FOUND: the deployment (or project) does not exist or belongs to another workspace (never said which).
 * - ABORTED: the caller's view is stale (`stale_source`), or the switch was overtaken: read the state again, then retry.
 * - FAILED_PRECONDITION: well-formed, but the state does not allow it (not ready, not production, already live,
 *   no running instances …): retrying the same call will not help until the state changes.
 * - UNAVAILABLE: a passing condition (RetryableError): retry later.
 * - INTERNAL: anything unexpected; the client gets a generic message, the log gets the real one.
 */

// Codes an operation ends with when a passing condition outlasted its attempts (Krane unreachable, a lost fencing race,
// an untyped error): the same call may well succeed later.
const PASSING_FAILURE_CODES = /^(krane_(unavailable|deadline_exceeded|resource_exhausted|aborted|internal|unknown|cancelled)|stale_fence|step_failed)$/;

/** A terminal error code → status, for codes raised before enqueueing and codes an operation failed with. */
export function statusOfErrorCode(code: string | null | undefined): Status {
  if (code === 'stale_source') return Status.ABORTED;
  if (code && PASSING_FAILURE_CODES.test(code)) return Status.UNAVAILABLE;
  if (code === 'not_found' || code?.endsWith('_not_found')) return Status.NOT_FOUND;
  // not_production, deployment_not_ready, already_live, no_running_instances, deployment_not_pending and anything
  // else terminal: the target is not in a state the operation accepts.
  return Status.FAILED_PRECONDITION;
}

export function toServerError(err: unknown, logger: Logger, method: string): ServerError {
  if (err instanceof ServerError) return err;
  if (err instanceof NotFoundError) return new ServerError(Status.NOT_FOUND, err.message);
  if (err instanceof ConflictError) {
    return new ServerError(err.code === 'stale_source' ? Status.ABORTED : Status.FAILED_PRECONDITION, err.message);
  }
  if (err instanceof UnprocessableError) return new ServerError(Status.FAILED_PRECONDITION, err.message);
  if (err instanceof TerminalError) return new ServerError(statusOfErrorCode(err.code), err.message);
  if (err instanceof RetryableError) return new ServerError(Status.UNAVAILABLE, `${err.message}: try again shortly`);
  logger.error('grpc call failed unexpectedly', {
    method,
    error: err instanceof Error ? err.message : String(err),
    code: err instanceof DeployflowError ? err.code : undefined,
    stack: err instanceof Error ? err.stack : undefined,
  });
  return new ServerError(Status.INTERNAL, 'internal error: the request could not be completed; it has been logged');
}

/**
 * What a finished rollback/promote operation means for the call: null when it succeeded (the routes are switched),
 * otherwise the error to answer with. The message carries the operation id so the timeline can be looked up.
 */
export function operationOutcomeError(op: Pick<Operation, 'id' | 'kind' | 'state' | 'errorCode' | 'errorMessage'>): ServerError | null {
  switch (op.state) {
    case 'succeeded':
      return null;
    case 'failed':
      return new ServerError(statusOfErrorCode(op.errorCode), `${op.kind} ${op.id} failed: ${op.errorMessage ?? op.errorCode ?? 'no reason recorded'}`);
    case 'cancelled':
    case 'superseded':
      // Not refused on its merits: something else changed the project meanwhile. Reading the state again tells what.
      return new ServerError(Status.ABORTED, `${op.kind} ${op.id} was ${op.state} before it switched the routes: read the project's live deployment and retry if still needed`);
    default:
      return new ServerError(Status.INTERNAL, `${op.kind} ${op.id} is still ${op.state}`);
  }
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
