/**
 * The engine's side of errors. The engine needs to know three things of anything a step throws: whether a later
 * attempt may succeed (BullMQ retries it, or the step fails at once), a stable code to store on the operation, and a
 * message a tenant may read. `CodedError` carries them; the application's error catalogue (src/errors/) builds its
 * errors on it and gives every engine code below its HTTP and gRPC status, so the engine knows no transport and no
 * product code, and the application's catalogue stays one closed set that includes the engine's codes.
 */

/** What the engine says about one of its own codes; the application's catalogue adds the transport statuses. */
export interface EngineErrorEntry {
  readonly retryable: boolean;
  // `never`: every parameter must be annotated in the table, or the function body does not type-check.
  readonly message: string | ((params: never) => string);
}

/** The engine's own codes: what the engine itself may fail an operation or a step with. */
export const ENGINE_ERRORS = {
  /** The operation was cancelled on request before its point of no return. */
  cancelled: { retryable: false, message: (p: { what: string }) => `${p.what} was cancelled` },
  /** The operation was stopped before its point of no return because a newer one made it pointless (latest wins). */
  superseded: { retryable: false, message: (p: { what: string; by: string }) => `${p.what} was superseded by ${p.by}` },
  /** A job whose data does not match its flow (written by other code, or by hand): it fails for good, with the reason. */
  malformed_job: {
    retryable: false,
    message: (p: { jobId: string | undefined; problem: string }) => `job ${p.jobId ?? '(no id)'} has malformed data: ${p.problem}`,
  },
  /** An operation of a kind no flow was given to the engine. */
  unknown_operation_kind: { retryable: false, message: (p: { kind: string }) => `no flow for operations of kind ${p.kind}` },
  /**
   * Anything thrown that is not a CodedError (a bug, a library's error): retried like a passing condition; its own
   * text goes to the log only, since it can name hosts, paths or connection strings.
   */
  step_failed: { retryable: true, message: 'an unexpected error (it has been logged for the operators)' },
} as const satisfies Record<string, EngineErrorEntry>;

export type EngineErrorCode = keyof typeof ENGINE_ERRORS;

/** What an error carries besides its code and message. */
export interface ErrorExtras {
  /** Public, structured: rendered as `details` in API error bodies (e.g. the offending fields). */
  details?: unknown;
  /** For the log only (a raw upstream message, a host, a path): never shown to a tenant. */
  internal?: string;
  cause?: unknown;
}

/**
 * An error with a stable code. Its `message` is public (what a tenant may read: step rows, the operation's error);
 * `internal` holds what only the log may see. Subclasses decide the code's retryability and build the message.
 */
export abstract class CodedError<C extends string = string> extends Error {
  readonly details?: unknown;
  readonly internal?: string;

  protected constructor(
    readonly code: C,
    readonly retryable: boolean,
    message: string,
    extras: ErrorExtras = {},
  ) {
    super(message, extras.cause === undefined ? undefined : { cause: extras.cause });
    this.name = new.target.name;
    if (extras.details !== undefined) this.details = extras.details;
    if (extras.internal !== undefined) this.internal = extras.internal;
  }
}

/** An error of one of the engine's own codes; always terminal except `step_failed`, which the engine never throws. */
abstract class EngineError<C extends EngineErrorCode> extends CodedError<C> {
  protected constructor(code: C, message: string) {
    super(code, ENGINE_ERRORS[code].retryable, message);
  }
}

/** The operation was cancelled on request before its point of no return. */
export class CancelledError extends EngineError<'cancelled'> {
  /** `what`: what was cancelled, e.g. `deployment dep_…`. */
  constructor(what: string) {
    super('cancelled', ENGINE_ERRORS.cancelled.message({ what }));
  }
}

/** The operation was stopped before its point of no return because a newer one made it pointless (latest wins). */
export class SupersededError extends EngineError<'superseded'> {
  /** `what`: what was stopped, e.g. `deployment dep_…`; `by`: what superseded it, e.g. `deployment dep_…`. */
  constructor(
    what: string,
    readonly by: string,
  ) {
    super('superseded', ENGINE_ERRORS.superseded.message({ what, by }));
  }
}

/**
 * What a flow's `cancelRequested` hook answers when its operation must stop: what was cancelled (`deployment dep_…`),
 * or what was superseded and by what.
 */
export type CancelRequest = string | { what: string; supersededBy: string };

/** The error a cancellable step throws for a cancel request: cancelled, or superseded by what the request names. */
export function cancellationError(request: CancelRequest): CancelledError | SupersededError {
  return typeof request === 'string' ? new CancelledError(request) : new SupersededError(request.what, request.supersededBy);
}

/** Whether an error stopped its operation on purpose (cancelled or superseded) rather than failing it. */
export function isCancellation(err: unknown): err is CancelledError | SupersededError {
  return err instanceof CancelledError || err instanceof SupersededError;
}

/** A job whose data does not match its flow (written by other code, or by hand): it fails for good, with the reason. */
export class MalformedJobError extends EngineError<'malformed_job'> {
  constructor(jobId: string | undefined, problem: string) {
    super('malformed_job', ENGINE_ERRORS.malformed_job.message({ jobId, problem }));
  }
}

/** An operation of a kind no flow was given to the engine. */
export class UnknownOperationKindError extends EngineError<'unknown_operation_kind'> {
  constructor(kind: string) {
    super('unknown_operation_kind', ENGINE_ERRORS.unknown_operation_kind.message({ kind }));
  }
}

/**
 * Whether a later attempt may succeed: the error's own answer for a CodedError. Anything else (a bug, a library's
 * error) counts as retryable, so BullMQ retries it until the step's attempts run out.
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof CodedError ? err.retryable : true;
}

/** The code of any thrown value: its own, or `step_failed` for an error that is not a CodedError. */
export function errorCodeOf(err: unknown): string {
  return err instanceof CodedError ? err.code : 'step_failed';
}

/**
 * What a tenant may read about any thrown value: a CodedError's message, and for anything else the `step_failed`
 * message, never the raw text (it can name hosts, paths, connection strings).
 */
export function publicMessageOf(err: unknown): string {
  return err instanceof CodedError ? err.message : ENGINE_ERRORS.step_failed.message;
}

/**
 * Log fields for any thrown value. A CodedError: the code, the public message and what only the log may see
 * (`internal`, the cause). Anything else: its own text, which is exactly what the tenant is not shown. No stack: a
 * caller that wants one for an unexpected error adds it.
 */
export function logFieldsOf(err: unknown): { code?: string; error: string; internal?: string } {
  if (err instanceof CodedError) {
    const cause = err.cause instanceof Error ? err.cause.message : undefined;
    const internal = [err.internal, cause].filter((s) => s !== undefined).join('; ');
    return { code: err.code, error: err.message, ...(internal ? { internal } : {}) };
  }
  return { error: err instanceof Error ? err.message : String(err) };
}
