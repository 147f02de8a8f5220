import { CodedError, type ErrorExtras } from '../engine/errors';
import { ErrorCode, httpStatusOf, HttpErrorStatus, isErrorCode, isRetryableCode, ParamsOf, publicMessage, RetryableCode, TerminalCode, TerminalCodeWithHttp } from './catalogue';

export type { ErrorExtras } from '../engine/errors';

/** The constructor arguments after the code: its message parameters (none for a fixed message), then the extras. */
export type ErrorArgs<C extends ErrorCode> = ParamsOf<C> extends undefined ? [params?: undefined, extras?: ErrorExtras] : [params: ParamsOf<C>, extras?: ErrorExtras];

/**
 * An error with a catalogue code: the engine's CodedError, its code typed by the catalogue and its retryability read
 * from it. Its `message` is the catalogue's public message, so whatever shows `err.message` to a tenant shows only
 * that; `internal` holds what only the log may see.
 */
export abstract class DeployflowError<C extends ErrorCode = ErrorCode> extends CodedError<C> {
  /** Subclasses build `message` from the catalogue; OperationEndedError restores one the catalogue built earlier. */
  protected constructor(code: C, message: string, extras: ErrorExtras = {}) {
    super(code, isRetryableCode(code), message, extras);
  }
}

/**
 * Any error with a catalogue code: ours, or one of the engine's own (CancelledError, MalformedJobError …), whose codes
 * the catalogue covers too. What the HTTP and gRPC layers answer with their catalogue statuses.
 */
export function isCatalogued(err: unknown): err is CodedError<ErrorCode> {
  return err instanceof CodedError && isErrorCode(err.code);
}

/**
 * Will fail the same way however often it is tried: bad input, missing records, a precondition violated. The engine
 * fails the step at once (BullMQ's UnrecoverableError, no further attempts). Takes terminal codes only.
 */
export class TerminalError<C extends TerminalCode = TerminalCode> extends DeployflowError<C> {
  declare readonly retryable: false;
  constructor(code: C, ...[params, extras]: ErrorArgs<C>) {
    super(code, publicMessage(code, params as ParamsOf<C>), extras);
  }
}

/** A passing condition (network, a service restarting, a lock held): BullMQ tries again with backoff. Retryable codes only. */
export class RetryableError<C extends RetryableCode = RetryableCode> extends DeployflowError<C> {
  declare readonly retryable: true;
  constructor(code: C, ...[params, extras]: ErrorArgs<C>) {
    super(code, publicMessage(code, params as ParamsOf<C>), extras);
  }
}

/**
 * An answer the HTTP or gRPC layer gives the caller directly (authentication, validation, readiness …), any code.
 * Not for control flow in steps: it is rendered with its catalogue status and nothing retries it.
 */
export class ApiError<C extends ErrorCode = ErrorCode> extends DeployflowError<C> {
  constructor(code: C, ...[params, extras]: ErrorArgs<C>) {
    super(code, publicMessage(code, params as ParamsOf<C>), extras);
  }

  get status(): HttpErrorStatus {
    return httpStatusOf(this.code);
  }
}

/** The thing asked for does not exist (or is not the caller's to see: never say which). */
export class NotFoundError extends TerminalError<'not_found'> {
  constructor(what: string, id: string) {
    super('not_found', { what, id });
  }
}

/** The request conflicts with the current state (stale view, already live, already finished): a 409 code. */
export class ConflictError<C extends TerminalCodeWithHttp<409>> extends TerminalError<C> {}

/** Well-formed, but the target is not in a state the operation accepts (not ready, wrong environment …): a 422 code. */
export class UnprocessableError<C extends TerminalCodeWithHttp<422>> extends TerminalError<C> {}

/** A step found what it needs missing or in the wrong state: never worth retrying. */
export class PreconditionFailedError<C extends TerminalCode> extends TerminalError<C> {}
