import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { bearerToken } from '../auth/require-auth';
import type { AppContext } from '../context';
import type { Prisma } from '../generated/prisma/client';
import { ApiError } from '../errors';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency-key';
import { isUniqueViolation } from './prisma-errors';
import type { ApiEnv } from './types';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** How long a finished request can be replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a request in flight holds its key. A process that dies mid-request leaves its placeholder behind;
 * once this passes the key can be used again instead of answering 409 for a whole day.
 */
export const IN_FLIGHT_TTL_MS = 2 * 60 * 1000;
/** Status of a placeholder row: the first request with this key has not answered yet. */
const IN_FLIGHT = 0;

/**
 * A response sealed with a key derived from the caller's API key, which is never stored. v1 held the body alone;
 * v2 holds `{ body, headers }`: the response headers a replay must repeat (REPLAYED_HEADERS).
 */
interface SealedResponse {
  v: 1 | 2;
  iv: string;
  tag: string;
  data: string;
}

/** Headers that are part of the answer itself, so a replay carries them too (the created resource, the operation). */
const REPLAYED_HEADERS = ['location'] as const;

interface StoredAnswer {
  body: unknown;
  headers: Record<string, string>;
}

/*
 * Responses are stored encrypted because some carry secrets (a new workspace's first API key): the database must
 * never hold a usable key. Only a caller presenting the same API key (whose hash selected the row) can open it.
 */
function sealingKey(apiKey: string, apiKeyId: string, idempotencyKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', apiKey, `${apiKeyId}\n${idempotencyKey}`, 'deployflow idempotent response v1', 32));
}

function seal(answer: StoredAnswer, key: Buffer): SealedResponse {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
  return { v: 2, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function open(sealed: SealedResponse, key: Buffer): StoredAnswer {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  const text = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  const parsed: unknown = JSON.parse(text);
  // Records written before v2 (kept up to 24 h) hold the body alone.
  return sealed.v === 2 ? (parsed as StoredAnswer) : { body: parsed, headers: {} };
}

function headersToReplay(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

async function requestHash(c: Context<ApiEnv>): Promise<string> {
  const url = new URL(c.req.url);
  const body = await c.req.text();
  return createHash('sha256').update(`${c.req.method} ${url.pathname}${url.search}\n`).update(body).digest('hex');
}

/** Answers worth replaying: successes and the caller's own mistakes. A 5xx may pass, so the key stays usable. */
function isReplayable(status: number): boolean {
  return (status >= 200 && status < 300) || (status >= 400 && status < 500);
}

/**
 * `Idempotency-Key` on POST: the first request with a key runs and its answer (2xx or 4xx) is kept for 24 h per API key;
 * a retry with the same key and request gets that answer again (`idempotent-replayed: true`), a different request with the
 * same key gets 422, and a retry while the first is still running gets 409. A placeholder row inserted before the request
 * runs makes the claim atomic: the primary key (apiKeyId, key) admits one winner. 5xx answers are not kept, so they can be retried.
 */
export function idempotency(ctx: AppContext): MiddlewareHandler<ApiEnv> {
  const records = ctx.prisma.idempotencyRecord;
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const key = c.req.header(IDEMPOTENCY_HEADER);
    if (key === undefined) return next();
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new ApiError('invalid_idempotency_key', undefined, {
        details: { issues: [{ location: 'header', field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }] },
      });
    }
    const auth = c.get('auth');
    const apiKey = bearerToken(c);
    if (!auth || !apiKey) return next(); // requireAuth runs before this; without a caller there is nothing to scope the key to
    const hash = await requestHash(c);
    const where = { apiKeyId_key: { apiKeyId: auth.apiKeyId, key } };
    const cryptoKey = sealingKey(apiKey, auth.apiKeyId, key);

    // createdAt identifies our own placeholder: should it expire and another request take the key over, this request
    // must neither overwrite nor delete the newer claim.
    const claimedAt = new Date();
    const ours = { apiKeyId: auth.apiKeyId, key, createdAt: claimedAt, status: IN_FLIGHT };
    const claim = async (): Promise<boolean> => {
      try {
        await records.create({
          data: {
            key,
            apiKeyId: auth.apiKeyId,
            requestHash: hash,
            status: IN_FLIGHT,
            response: {},
            createdAt: claimedAt,
            expiresAt: new Date(claimedAt.getTime() + IN_FLIGHT_TTL_MS),
          },
        });
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    };

    let claimed = await claim();
    if (!claimed) {
      // An expired row (finished long ago, or abandoned by a process that died) no longer holds the key.
      const { count } = await records.deleteMany({ where: { apiKeyId: auth.apiKeyId, key, expiresAt: { lte: new Date() } } });
      if (count > 0) claimed = await claim();
    }
    if (!claimed) {
      const existing = await records.findUnique({ where });
      if (!existing) throw new ApiError('idempotency_in_progress');
      if (existing.requestHash !== hash) {
        throw new ApiError('idempotency_key_reused');
      }
      if (existing.status === IN_FLIGHT) {
        throw new ApiError('idempotency_in_progress');
      }
      const answer = open(existing.response as unknown as SealedResponse, cryptoKey);
      c.header(REPLAYED_HEADER, 'true');
      for (const [name, value] of Object.entries(answer.headers)) c.header(name, value);
      return c.json(answer.body as object, existing.status as 200);
    }

    let stored = false;
    try {
      await next();
      const status = c.res.status;
      if (isReplayable(status)) {
        try {
          const body: unknown = await c.res.clone().json();
          const { count } = await records.updateMany({
            where: ours,
            data: { status, response: seal({ body, headers: headersToReplay(c.res) }, cryptoKey) as unknown as Prisma.InputJsonValue, expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_MS) },
          });
          stored = count === 1;
        } catch (err) {
          // The request itself succeeded: answer it, and let a retry with this key run again rather than fail now.
          c.get('logger').warn('could not store an idempotent response', { error: err instanceof Error ? err.message : String(err) });
        }
      }
    } finally {
      if (!stored) await records.deleteMany({ where: ours }).catch(() => undefined);
    }
  };
}
