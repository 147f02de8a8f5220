import { ErrorCode, publicMessage } from './catalogue';
import { DeployflowError } from './deployflow-error';

/**
 * Whether a later attempt may succeed: the catalogue's answer for our errors. Anything else (a bug, a library's error)
 * counts as retryable, so BullMQ retries it until the step's attempts run out.
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof DeployflowError ? err.retryable : true;
}

/** The catalogue code of any thrown value: its own, or `step_failed` for an error that is not ours. */
export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof DeployflowError ? err.code : 'step_failed';
}

/**
 * What a tenant may read about any thrown value: the catalogue message of our errors, and for anything else the
 * catalogue's `step_failed` message, never the raw text (it can name hosts, paths, connection strings).
 */
export function publicMessageOf(err: unknown): string {
  return err instanceof DeployflowError ? err.message : publicMessage('step_failed', undefined);
}

/**
 * Log fields for any thrown value. Ours: the code, the public message and what only the log may see (`internal`, the
 * cause). Anything else: its own text, which is exactly what the tenant is not shown. No stack: a caller that wants
 * one for an unexpected error adds it.
 */
export function logFieldsOf(err: unknown): { code?: ErrorCode; error: string; internal?: string } {
  if (err instanceof DeployflowError) {
    const cause = err.cause instanceof Error ? err.cause.message : undefined;
    const internal = [err.internal, cause].filter((s) => s !== undefined).join('; ');
    return { code: err.code, error: err.message, ...(internal ? { internal } : {}) };
  }
  return { error: err instanceof Error ? err.message : String(err) };
}
