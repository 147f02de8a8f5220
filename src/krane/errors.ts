import { Status } from 'nice-grpc-common';
import { GrpcStatusName, isRetryableCode, KraneCode, RetryableCode, RetryableError, TerminalCode, TerminalError } from '../errors';

export type KraneCall = 'CreateDeployment' | 'GetDeployment' | 'DeleteDeployment' | 'ListDeployments';

/**
 * The catalogue code of a Krane call that failed with each gRPC status; the catalogue says which of them a later
 * attempt can succeed on (Krane restarting or overloaded, a deadline hit, a concurrent change, a server-side fault, a
 * call cancelled under us) and which fail the same way again (bad request, missing deployment, precondition, auth,
 * unimplemented). `OK` never arrives as a failure; a status this version does not know is `krane_unknown`.
 */
const KRANE_CODE_OF_STATUS = {
  OK: 'krane_unknown',
  CANCELLED: 'krane_cancelled',
  UNKNOWN: 'krane_unknown',
  INVALID_ARGUMENT: 'krane_invalid_argument',
  DEADLINE_EXCEEDED: 'krane_deadline_exceeded',
  NOT_FOUND: 'krane_not_found',
  ALREADY_EXISTS: 'krane_already_exists',
  PERMISSION_DENIED: 'krane_permission_denied',
  RESOURCE_EXHAUSTED: 'krane_resource_exhausted',
  FAILED_PRECONDITION: 'krane_failed_precondition',
  ABORTED: 'krane_aborted',
  OUT_OF_RANGE: 'krane_out_of_range',
  UNIMPLEMENTED: 'krane_unimplemented',
  INTERNAL: 'krane_internal',
  UNAVAILABLE: 'krane_unavailable',
  DATA_LOSS: 'krane_data_loss',
  UNAUTHENTICATED: 'krane_unauthenticated',
} as const satisfies Record<GrpcStatusName | 'OK', KraneCode>;

/** `UNAVAILABLE` for a known code, `CODE_<n>` for one this version does not know. */
export function grpcStatusName(code: Status): string {
  return Status[code] ?? `CODE_${code}`;
}

export function kraneCodeOf(grpcCode: Status): KraneCode {
  const name = Status[grpcCode] as keyof typeof KRANE_CODE_OF_STATUS | undefined;
  return name !== undefined && Object.hasOwn(KRANE_CODE_OF_STATUS, name) ? KRANE_CODE_OF_STATUS[name] : 'krane_unknown';
}

/** What a failed Krane call carries besides its message, whichever side of the retry split it falls on. */
export interface KraneCallFailure {
  readonly call: KraneCall;
  /** `namespace/deploymentId` the call was about. */
  readonly target: string;
  readonly grpcCode: Status;
  /** The status message the server (or the transport) gave: for the log; the public message shows it only for INVALID_ARGUMENT. */
  readonly grpcDetails: string;
}

function parts(call: KraneCall, target: string, grpcCode: Status, grpcDetails: string) {
  const params = { call, target, reason: grpcDetails };
  return [params, { details: { call, target, grpcCode: grpcStatusName(grpcCode) }, internal: `${grpcStatusName(grpcCode)} ${grpcDetails}`.trimEnd() }] as const;
}

/** A Krane call that may succeed when tried again (the engine retries it with backoff). */
export class KraneRetryableError extends RetryableError<Extract<KraneCode, RetryableCode>> implements KraneCallFailure {
  constructor(code: Extract<KraneCode, RetryableCode>, readonly call: KraneCall, readonly target: string, readonly grpcCode: Status, readonly grpcDetails: string) {
    super(code, ...parts(call, target, grpcCode, grpcDetails));
  }
}

/** A Krane call that will fail the same way however often it is tried (the engine fails the step at once). */
export class KraneTerminalError extends TerminalError<Extract<KraneCode, TerminalCode>> implements KraneCallFailure {
  constructor(code: Extract<KraneCode, TerminalCode>, readonly call: KraneCall, readonly target: string, readonly grpcCode: Status, readonly grpcDetails: string) {
    super(code, ...parts(call, target, grpcCode, grpcDetails));
  }
}

/** Any failed Krane call; `instanceof RetryableError` / `TerminalError` (or `.retryable`) tells which kind. */
export type KraneCallError = KraneRetryableError | KraneTerminalError;

/** The error for a Krane call that failed with `grpcCode`: its code, and so its retryability, from the catalogue. */
export function kraneCallError(call: KraneCall, target: string, grpcCode: Status, grpcDetails: string): KraneCallError {
  const code = kraneCodeOf(grpcCode);
  return isRetryableCode(code)
    ? new KraneRetryableError(code, call, target, grpcCode, grpcDetails)
    : new KraneTerminalError(code, call, target, grpcCode, grpcDetails);
}

export function isKraneCallError(err: unknown): err is KraneCallError {
  return err instanceof KraneRetryableError || err instanceof KraneTerminalError;
}
