import { ErrorCode, ERROR_CATALOGUE, httpStatusOf, HttpErrorStatus, ParamsOf, publicMessage, RetryableCode, TerminalCode, TerminalCodeWithHttp } from './catalogue';

/** What an error carries besides its code and message. */
export interface ErrorExtras {
  /** Public, structured: rendered as `details` in API error bodies (e.g. the offending fields). */
  details?: unknown;
  /** For the log only (a raw upstream message, a host, a path): never shown to a tenant. */
  internal?: string;
  cause?: unknown;
}

/** The constructor arguments after the code: its message parameters (none for a fixed message), then the extras. */
export type ErrorArgs<C extends ErrorCode> = ParamsOf<C> extends undefined ? [params?: undefined, extras?: ErrorExtras] : [params: ParamsOf<C>, extras?: ErrorExtras];

/**
 * An error with a catalogue code. Its `message` is the catalogue's public message, so whatever shows `err.message` to
 * a tenant shows only that; `internal` holds what only the log may see.
 */
export abstract class DeployflowError<C extends ErrorCode = ErrorCode> extends Error {
  readonly retryable: boolean;
  readonly details?: unknown;
  readonly internal?: string;

  /** Subclasses build `message` from the catalogue; OperationEndedError restores one the catalogue built earlier. */
  protected constructor(
    readonly code: C,
    message: string,
    extras: ErrorExtras = {},
  ) {
    super(message, extras.cause === undefined ? undefined : { cause: extras.cause });
    this.name = new.target.name;
    this.retryable = ERROR_CATALOGUE[code].retryable;
    if (extras.details !== undefined) this.details = extras.details;
    if (extras.internal !== undefined) this.internal = extras.internal;
  }
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
