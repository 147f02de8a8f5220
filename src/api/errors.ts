import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { ApiError, type CodedError, ErrorCode, HttpErrorStatus, httpStatusOf, isCatalogued, logFieldsOf, RetryableError } from '../errors';
import { newId } from '../ids';
import type { Logger } from '../logger';
import { prismaRefusal } from './prisma-errors';
import type { ApiEnv } from './types';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; requestId: string };
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

export function validationError(issues: InputIssue[]): ApiError<'validation_failed'> {
  const location = issues[0]?.location ?? 'body';
  return new ApiError('validation_failed', { location, issues }, { details: { issues } });
}

/** OpenAPIHono's defaultHook: every schema failure (body, query, path, headers) becomes a 400 naming the fields. */
export function validationHook(result: { success: boolean; error?: ZodError; target: string }): void {
  if (result.success || !result.error) return;
  const issues = describeZodIssues(result.error, LOCATION_OF_TARGET[result.target] ?? 'body');
  // Header schemas use the lowercase names Hono reads them by; an answer names a header as the client writes it.
  if (result.target === 'header') for (const issue of issues) issue.field = HEADER_NAMES[issue.field] ?? issue.field;
  throw validationError(issues);
}

/** How a header a route schema declares is spelled in errors. */
const HEADER_NAMES: Record<string, string> = { 'idempotency-key': 'Idempotency-Key', 'last-event-id': 'Last-Event-ID' };

export function requestIdOf(c: Context<ApiEnv>): string {
  let id = c.get('requestId');
  if (!id) {
    id = newId('req');
    c.set('requestId', id);
  }
  return id;
}

function render(c: Context<ApiEnv>, status: HttpErrorStatus, code: ErrorCode, message: string, details?: unknown): Response {
  const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }), requestId: requestIdOf(c) } };
  return c.json(body, status);
}

/** Renders an error with a catalogue code with its catalogue status. */
export function renderError(c: Context<ApiEnv>, err: CodedError<ErrorCode>): Response {
  if (err.code === 'unauthorized') c.header('WWW-Authenticate', 'Bearer realm="deployflow"');
  return render(c, httpStatusOf(err.code), err.code, err.message, err.details);
}

/**
 * Maps any thrown error to the one error shape, status and code from the catalogue. Only unexpected errors are 500s,
 * and those hide their message; a retryable error is a 503 the caller may simply retry.
 */
export function createErrorHandler(logger: Logger): ErrorHandler<ApiEnv> {
  return (err, c) => {
    // The request's own logger carries its request id (the app-wide one is for errors raised before it was set).
    const log = c.get('logger') ?? logger;
    if (err instanceof RetryableError) {
      log.warn('request hit a passing failure', logFieldsOf(err));
      c.header('Retry-After', '1');
      return renderError(c, new ApiError('temporarily_unavailable'));
    }
    // Ours, and the engine's own errors (a malformed job, an unknown operation kind), whose codes the catalogue has too.
    if (isCatalogued(err)) return renderError(c, err);
    // Hono's own refusals: a body its validator could not parse, a content type the route does not take.
    if (err instanceof HTTPException && err.status < 500) {
      if (err.status === 400 && /malformed json/i.test(err.message)) return renderError(c, new ApiError('invalid_json', {}));
      if (err.status === 415) return renderError(c, new ApiError('unsupported_media_type'));
      return renderError(c, new ApiError('bad_request', { reason: err.message }));
    }
    const refusal = prismaRefusal(err);
    if (refusal) return renderError(c, refusal);
    log.error('unexpected error in request', {
      method: c.req.method,
      path: c.req.path,
      error: err instanceof Error ? err.stack ?? err.message : String(err),
    });
    return renderError(c, new ApiError('internal', { via: 'http' }));
  };
}

export const handleNotFound: NotFoundHandler<ApiEnv> = (c) => renderError(c, new ApiError('not_found', { method: c.req.method, path: c.req.path }));
