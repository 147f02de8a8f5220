/**
 * Typed errors for control flow. The engine maps them onto BullMQ: a TerminalError fails the step at once
 * (UnrecoverableError, no further attempts); a RetryableError is retried with exponential backoff.
 * Every error carries a stable machine-readable `code` that reaches API responses and step rows.
 */
export abstract class DeployflowError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Will fail the same way however often it is tried: bad input, missing records, precondition violated. */
export class TerminalError extends DeployflowError {
  readonly retryable = false;
}

/** A passing condition (network, a service restarting, a lock held): try again later. */
export class RetryableError extends DeployflowError {
  readonly retryable = true;
}

export function isRetryable(err: unknown): boolean {
  return err instanceof DeployflowError ? err.retryable : true;
}

/** The thing asked for does not exist (or is not the caller's to see: never say which). */
export class NotFoundError extends TerminalError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} not found`);
  }
}

/** The request conflicts with the current state (stale view, already live, already finished). */
export class ConflictError extends TerminalError {}

/** Well-formed, but the target is not in a state the operation accepts (not ready, wrong environment …). */
export class UnprocessableError extends TerminalError {}

/** A step found what it needs missing or in the wrong state: never worth retrying. */
export class PreconditionFailedError extends TerminalError {}
