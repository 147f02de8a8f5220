import { z } from '@hono/zod-openapi';
import { ID_PATTERN } from '../../ids';
import { lineText, nonBlankLineText } from '../../operations/text';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency-key';
import { queryInteger } from './query-integer';

/** DNS-safe label: it becomes part of hostnames (SPEC §4.1). */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const Slug = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
  .max(63, 'must be at most 63 characters')
  .regex(SLUG_PATTERN, 'must be 1-63 lower case letters, digits or "-", starting and ending with a letter or digit')
  .openapi({ example: 'acme' });

// One line of well-formed text: no NUL (PostgreSQL refuses it), no other control character, no unpaired surrogate.
export const DisplayName = nonBlankLineText(200).openapi({ example: 'Acme Inc.' });

/** A git branch name, restricted to the characters git itself allows in practice. */
export const BranchName = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^(?![-/.])(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+(?<![/.])$/, 'must be a git branch name such as main or feature/login')
  .openapi({ example: 'main' });

export const Timestamp = z.iso.datetime().openapi({ example: '2026-01-01T12:00:00.000Z' });

/** The last fields of a stored resource's view: when it was created and last changed. */
export const RECORD_TIMES = { createdAt: Timestamp, updatedAt: Timestamp };

/** A path or query parameter naming a resource by id or slug. Bounded, one line of well-formed text; never interpolated into SQL. */
export const IdOrSlugParam = lineText(255).min(1, 'must not be empty');

export const PaginationQuery = z.object({
  limit: queryInteger({ min: 1, max: 100, default: 20 }).openapi({ description: 'Page size, 1 to 100 (default 20).', example: 20 }),
  cursor: z
    .string()
    .regex(ID_PATTERN, 'must be a nextCursor value from a previous page')
    .optional()
    .openapi({ description: 'The `nextCursor` of the previous page; omit for the first page.' }),
});

export function page<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      data: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
    })
    .openapi(name);
}

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string().openapi({ example: 'invalid request body: slug: must be at most 63 characters' }),
      details: z.unknown().optional(),
      requestId: z.string().openapi({ example: 'req_01h2xcejqtf2nbrexx3vqjhp41' }),
    }),
  })
  .openapi('Error');

const ERROR_DESCRIPTIONS = {
  400: 'Invalid input: malformed JSON, a missing, unknown or invalid field (the message names it)',
  401: 'Missing, invalid or revoked API key',
  403: 'The API key may not do this',
  404: 'Not found (also for resources of other workspaces)',
  409: 'Conflict with the current state',
  413: 'Request body larger than 1 MiB',
  415: 'Body is not application/json',
  422: 'Well-formed but cannot be done (e.g. Idempotency-Key reused for a different request)',
  429: 'Too many requests with this API key: wait `Retry-After` seconds (see the `RateLimit` headers)',
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** The `content` of a request body or response that is JSON of `schema`: `{ description, ...jsonContent(S) }`. */
export function jsonContent<S extends z.ZodType>(schema: S) {
  return { content: { 'application/json': { schema } } };
}

/** The `responses` entries for the errors a route can answer, all in the one error shape. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  const out = {} as Record<S, { description: string; content: { 'application/json': { schema: typeof ErrorResponse } } }>;
  for (const status of statuses) {
    out[status] = { description: ERROR_DESCRIPTIONS[status], ...jsonContent(ErrorResponse) };
  }
  return out;
}

/** Errors every authenticated route can answer. */
export const AUTHENTICATED_ERRORS = [400, 401, 403, 429] as const;
/** Errors every authenticated POST with a JSON body can answer, on top of those. */
export const JSON_POST_ERRORS = [400, 401, 403, 409, 413, 415, 422, 429] as const;

/**
 * The responses of an authenticated route that answers 200 with `schema` (reads, and revoking a key): that, the
 * errors every authenticated route can answer, and the route's own `more` (404 where it names a resource).
 */
export function okResponses<S extends z.ZodType, M extends ErrorStatus = never>(description: string, schema: S, ...more: M[]) {
  const errors = errorResponses<(typeof AUTHENTICATED_ERRORS)[number] | M>(...AUTHENTICATED_ERRORS, ...more);
  return { 200: { description, ...jsonContent(schema) }, ...errors };
}

export const IdempotencyKeyHeader = z.object({
  // Checked by the idempotency middleware before any route runs; declared here so the document shows the rule.
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1 to 255 printable ASCII characters')
    .optional()
    .openapi({ description: 'Makes the POST safe to retry: same key and body within 24 h replays the first answer.', example: 'c0ffee-2026-01-01' }),
});

export const BEARER_SECURITY = [{ bearerAuth: [] }];

/** The request of a POST with a JSON body (required), and the Idempotency-Key that makes it safe to retry. */
export function jsonPostRequest<S extends z.ZodType>(body: S) {
  return { headers: IdempotencyKeyHeader, body: { required: true, ...jsonContent(body) } };
}

/** The responses of a POST that creates a resource: 201 with it, or an error any JSON POST can answer. */
export function createdResponses<S extends z.ZodType>(description: string, schema: S) {
  return { 201: { description, ...jsonContent(schema) }, ...errorResponses(...JSON_POST_ERRORS) };
}
