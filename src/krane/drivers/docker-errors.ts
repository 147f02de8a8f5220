import { DriverUnavailableError, InvalidSpecError } from '../driver';

/** An error from the Engine API as docker-modem reports it: the HTTP status and Docker's own message. */
interface EngineApiError {
  statusCode?: number;
  json?: { message?: string } | null;
  code?: string;
  message?: string;
}

// The daemon's socket is missing, refused, not ours to open, or the connection broke: the daemon is not there.
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

export function dockerStatus(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? (err as EngineApiError).statusCode : undefined;
}

/** Docker's message without docker-modem's "(HTTP code 404) no such container -" prefix. */
export function dockerMessage(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as EngineApiError;
  const fromBody = e.json && typeof e.json === 'object' ? e.json.message : undefined;
  return (fromBody ?? e.message ?? String(err)).replace(/^\(HTTP code \d+\)[^-]*-\s*/, '').trim();
}

export function isDockerNotFound(err: unknown): boolean {
  return dockerStatus(err) === 404;
}

export function isDockerConflict(err: unknown): boolean {
  return dockerStatus(err) === 409;
}

/** 304 "container already stopped/started": the call's effect already holds. */
export function isDockerNotModified(err: unknown): boolean {
  return dockerStatus(err) === 304;
}

export function isDaemonUnreachable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as EngineApiError;
  return (e.code !== undefined && UNREACHABLE_CODES.has(e.code)) || /socket hang up/i.test(e.message ?? '');
}

/**
 * The driver error for a failed Engine API call `what`: an unreachable daemon is UNAVAILABLE (retried), a 400
 * (Docker refused the request as given: a limit out of range, a bad option) is INVALID_ARGUMENT; anything else
 * stays a plain error (INTERNAL, retried).
 */
export function driverErrorOf(err: unknown, what: string, daemon: string): Error {
  if (isDaemonUnreachable(err)) {
    return new DriverUnavailableError(`docker daemon at ${daemon} is not reachable (${what}): ${dockerMessage(err)}`);
  }
  if (dockerStatus(err) === 400) return new InvalidSpecError(`${what}: docker refused it: ${dockerMessage(err)}`);
  return new Error(`${what}: ${dockerMessage(err)}`);
}
