import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { DeployflowError, RetryableError, TerminalError } from '../errors';
import { newId } from '../ids';
import type { Logger } from '../logger';
import { isRecordNotFound, isUniqueViolation } from './prisma-errors';
import type { ApiEnv } from './types';

/** An error meant for the caller: rendered as `{"error":{code,message,details?,requestId}}` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

/**
 * HTTP status of a TerminalError reaching the API, by code. Codes not listed fall back to conventions:
 * `not_found`/`*_not_found` → 404, `conflict`/`*_conflict` → 409, anything else 422 (understood, but cannot be done).
 */
export const TERMINAL_ERROR_STATUS: Readonly<Record<string, ContentfulStatusCode>> = {
  not_found: 404,
  conflict: 409,
  slug_taken: 409,
  stale_source: 409,
  already_live: 409,
  not_cancellable: 409,
  operation_in_progress: 409,
  // cancel: the deploy is past the point of no return, or over
  too_late_to_cancel: 409,
  deployment_finished: 409,
  deployment_not_pending: 409,
  // an operation ended this way (answered by ?wait on rollback, promote, undo)
  cancelled: 409,
  operation_cancelled: 409,
  operation_superseded: 409,
  nothing_to_undo: 409,
  deployment_not_active: 409,
  not_production: 422,
  deployment_not_ready: 422,
  no_running_instances: 422,
};

export function statusForTerminalError(code: string): ContentfulStatusCode {
  const listed = TERMINAL_ERROR_STATUS[code];
  if (listed) return listed;
  if (code.endsWith('_not_found')) return 404;
  if (code.endsWith('_conflict')) return 409;
  return 422;
}

export type InputLocation = 'body' | 'query' | 'path' | 'header' | 'cookie';

const LOCATION_OF_TARGET: Record<string, InputLocation> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

export interface InputIssue {
  location: InputLocation;
  /** Dotted path of the offending field, `""` for the whole input. */
  field: string;
  message: string;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

/**
 * One entry per offending field (its first problem: a 64-character slug is reported as too long, not also as
 * not matching the pattern); an unknown key becomes an issue on that key itself.
 */
export function describeZodIssues(error: ZodError, location: InputLocation): InputIssue[] {
  const byField = new Map<string, InputIssue>();
  const add = (field: string, message: string) => {
    if (!byField.has(field)) byField.set(field, { location, field, message });
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(fieldName([...issue.path, key]), 'unknown field');
    } else {
      add(fieldName(issue.path), issue.message);
    }
  }
  return [...byField.values()];
}

export function validationError(issues: InputIssue[]): ApiError {
  const location = issues[0]?.location ?? 'body';
  const summary = issues.map((i) => `${i.field || `(${i.location})`}: ${i.message}`).join('; ');
  return new ApiError(400, 'validation_failed', `invalid request ${location}: ${summary}`, { issues });
}

/** OpenAPIHono's defaultHook: every schema failure (body, query, path, headers) becomes a 400 naming the fields. */
export function validationHook(result: { success: boolean; error?: ZodError; target: string }): void {
  if (result.success || !result.error) return;
  throw validationError(describeZodIssues(result.error, LOCATION_OF_TARGET[result.target] ?? 'body'));
}

export function requestIdOf(c: Context<ApiEnv>): string {
  let id = c.get('requestId');
  if (!id) {
    id = newId('req');
    c.set('requestId', id);
  }
  return id;
}

function render(c: Context<ApiEnv>, status: ContentfulStatusCode, code: string, message: string, details?: unknown): Response {
  const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }), requestId: requestIdOf(c) } };
  return c.json(body, status);
}

const HTTP_EXCEPTION_CODE: Partial<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Maps any thrown error to the one error shape; only unexpected errors are 500s, and those hide their message. */
export function createErrorHandler(logger: Logger): ErrorHandler<ApiEnv> {
  return (err, c) => {
    const log = c.get('logger') ?? logger;
    if (err instanceof ApiError) {
      if (err.status === 401) c.header('WWW-Authenticate', 'Bearer realm="deployflow"');
      return render(c, err.status, err.code, err.message, err.details);
    }
    if (err instanceof TerminalError) return render(c, statusForTerminalError(err.code), err.code, err.message, err.details);
    if (err instanceof RetryableError) {
      log.warn('request hit a passing failure', { code: err.code, error: err.message });
      c.header('Retry-After', '1');
      return render(c, 503, 'temporarily_unavailable', 'a dependency is briefly unavailable; retry the request');
    }
    if (err instanceof HTTPException && err.status < 500) {
      if (err.status === 400 && /malformed json/i.test(err.message)) return render(c, 400, 'invalid_json', 'request body is not valid JSON');
      if (err.status === 415) {
        return render(c, 415, 'unsupported_media_type', 'request body must be JSON: send Content-Type: application/json');
      }
      return render(c, err.status, HTTP_EXCEPTION_CODE[err.status] ?? 'bad_request', err.message || 'bad request');
    }
    // A race between two requests that both passed their checks: the database had the last word.
    if (isUniqueViolation(err)) return render(c, 409, 'conflict', 'the resource was changed by another request; retry');
    if (isRecordNotFound(err)) return render(c, 404, 'not_found', 'resource not found');
    log.error('unexpected error in request', {
      method: c.req.method,
      path: c.req.path,
      error: err instanceof Error ? err.stack ?? err.message : String(err),
      code: err instanceof DeployflowError ? err.code : undefined,
    });
    return render(c, 500, 'internal', 'internal error; report the requestId if it persists');
  };
}

export const handleNotFound: NotFoundHandler<ApiEnv> = (c) =>
  render(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
