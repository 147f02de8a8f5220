import type { ApiApp } from '../types';

const API_DESCRIPTION = [
  'Deploy, roll back and promote. Authenticate with `Authorization: Bearer <api key>`.',
  '',
  'Keys: the root key (printed once at first start, or ROOT_API_KEY) only manages workspaces; every project',
  'and deployment request needs a key of the workspace (role admin, deployer or viewer; viewers only read).',
  'Admins mint and revoke keys with /v1/keys. Resources of another workspace answer 404.',
  '',
  'Every POST accepts an `Idempotency-Key`. Every answer carries `x-request-id`; errors are',
  '`{"error":{"code","message","details?","requestId"}}`. Requests with a key are limited per key',
  '(`RateLimit-Policy` / `RateLimit` headers; 429 with `Retry-After` past the limit). A known path asked with',
  'another method answers 405 with `Allow`.',
].join('\n');

/** Response headers the API sends, defined once and referenced from every response that carries them. */
const HEADERS = {
  RequestId: {
    description: 'The request id: the caller\'s `x-request-id` when it was a plain token of at most 128 characters, else a new `req_…`. Also in error bodies and on every log line of the request.',
    schema: { type: 'string', example: 'req_01h2xcejqtf2nbrexx3vqjhp41' },
  },
  RateLimitPolicy: {
    description: 'The per-key quota (IETF draft-ietf-httpapi-ratelimit-headers): `q` requests per window of `w` seconds.',
    schema: { type: 'string', example: '"per-key";q=1200;w=60' },
  },
  RateLimit: {
    description: 'What is left of the quota: `r` requests remain, the window resets in `t` seconds.',
    schema: { type: 'string', example: '"per-key";r=1187;t=42' },
  },
  RetryAfter: {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', minimum: 1, example: 17 },
  },
  Location: {
    description: 'For a 201, the resource created; for a 202, the operation to follow (GET it, with `?wait=N` to long-poll).',
    schema: { type: 'string', example: '/v1/operations/op_01h2xcejqtf2nbrexx3vqjhp41' },
  },
  IdempotentReplayed: {
    description: '`true` when this answer is the stored answer to an earlier request with the same `Idempotency-Key`.',
    schema: { type: 'string', enum: ['true'] },
  },
} as const;

type HeaderName = keyof typeof HEADERS;
type Json = Record<string, unknown>;

const ref = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });

/** Which headers a response has, from its operation's method, whether it needs a key, and its status. */
function headersFor(method: string, authenticated: boolean, status: string): Partial<Record<string, { $ref: string }>> {
  const headers: Partial<Record<string, { $ref: string }>> = { 'x-request-id': ref('RequestId') };
  // The limiter runs once the key is known: every answer but "who are you?" carries the quota.
  if (authenticated && status !== '401') {
    headers['RateLimit-Policy'] = ref('RateLimitPolicy');
    headers.RateLimit = ref('RateLimit');
  }
  if (status === '429' || status === '503') headers['Retry-After'] = ref('RetryAfter');
  if (status === '201' || status === '202') headers.Location = ref('Location');
  if (method === 'post' && status !== '401' && status !== '429' && !status.startsWith('5')) headers['Idempotent-Replayed'] = ref('IdempotentReplayed');
  return headers;
}

/** Adds the headers to every response of every operation, and the definitions to the components. */
function documentHeaders(doc: Json): void {
  const components = (doc.components ??= {}) as Json;
  components.headers = { ...((components.headers as Json) ?? {}), ...HEADERS };
  for (const operations of Object.values((doc.paths ?? {}) as Record<string, Json>)) {
    for (const [method, operation] of Object.entries(operations)) {
      const op = operation as { security?: unknown[]; responses?: Record<string, Json> };
      const authenticated = Array.isArray(op.security) && op.security.length > 0;
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        response.headers = { ...headersFor(method, authenticated, status), ...((response.headers as Json) ?? {}) };
      }
    }
  }
}

export interface DocumentOptions {
  /** Where clients reach the API (the `servers` entry, what /docs sends its requests to). */
  serverUrl: string;
}

/** The OpenAPI 3.1 document of the app's routes, with servers and the response headers every route shares. */
export function buildOpenApiDocument(app: ApiApp, options: DocumentOptions): Json {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'deployflow', version: '1', description: API_DESCRIPTION },
    servers: [{ url: options.serverUrl, description: 'This deployflow API' }],
  }) as unknown as Json;
  documentHeaders(doc);
  return doc;
}
