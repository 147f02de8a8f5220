import { Status } from 'nice-grpc-common';
import { RetryableError, TerminalError } from '../errors';

export type KraneCall = 'CreateDeployment' | 'GetDeployment' | 'DeleteDeployment' | 'ListDeployments';

/**
 * Codes a later attempt of the same call can succeed on: Krane restarting or overloaded, a deadline hit, a
 * concurrent change (ABORTED), a server-side fault (INTERNAL, UNKNOWN), a call cancelled under us.
 * Everything else (bad request, missing deployment, precondition, auth, unimplemented) fails the same way again.
 */
const RETRYABLE_CODES: ReadonlySet<Status> = new Set([
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.RESOURCE_EXHAUSTED,
  Status.ABORTED,
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.CANCELLED,
]);

export function isRetryableGrpcStatus(code: Status): boolean {
  return RETRYABLE_CODES.has(code);
}

/** `UNAVAILABLE` for a known code, `CODE_<n>` for one this version does not know. */
export function grpcStatusName(code: Status): string {
  return Status[code] ?? `CODE_${code}`;
}

/** What a failed Krane call carries besides its message, whichever side of the retry split it falls on. */
export interface KraneCallFailure {
  readonly call: KraneCall;
  /** `namespace/deploymentId` the call was about. */
  readonly target: string;
  readonly grpcCode: Status;
  /** The status message the server (or the transport) gave. */
  readonly grpcDetails: string;
}

function describe(call: KraneCall, target: string, grpcCode: Status, grpcDetails: string): string {
  return `krane ${call} ${target} failed: ${grpcStatusName(grpcCode)} ${grpcDetails}`.trimEnd();
}

function errorCode(grpcCode: Status): string {
  return `krane_${grpcStatusName(grpcCode).toLowerCase()}`;
}

/** A Krane call that may succeed when tried again (the engine retries it with backoff). */
export class KraneRetryableError extends RetryableError implements KraneCallFailure {
  constructor(
    readonly call: KraneCall,
    readonly target: string,
    readonly grpcCode: Status,
    readonly grpcDetails: string,
  ) {
    super(errorCode(grpcCode), describe(call, target, grpcCode, grpcDetails), { call, target, grpcCode: grpcStatusName(grpcCode) });
  }
}

/** A Krane call that will fail the same way however often it is tried (the engine fails the step at once). */
export class KraneTerminalError extends TerminalError implements KraneCallFailure {
  constructor(
    readonly call: KraneCall,
    readonly target: string,
    readonly grpcCode: Status,
    readonly grpcDetails: string,
  ) {
    super(errorCode(grpcCode), describe(call, target, grpcCode, grpcDetails), { call, target, grpcCode: grpcStatusName(grpcCode) });
  }
}

/** Any failed Krane call; `instanceof RetryableError` / `TerminalError` (or `.retryable`) tells which kind. */
export type KraneCallError = KraneRetryableError | KraneTerminalError;

export function kraneCallError(call: KraneCall, target: string, grpcCode: Status, grpcDetails: string): KraneCallError {
  return isRetryableGrpcStatus(grpcCode)
    ? new KraneRetryableError(call, target, grpcCode, grpcDetails)
    : new KraneTerminalError(call, target, grpcCode, grpcDetails);
}

export function isKraneCallError(err: unknown): err is KraneCallError {
  return err instanceof KraneRetryableError || err instanceof KraneTerminalError;
}
