import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import type { ApiEnv } from './types';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The body was larger than allowed; thrown inside the reader only. */
class BodyTooLarge extends Error {}

async function readAtMost(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new BodyTooLarge();
      chunks.push(value);
    }
  } catch (err) {
    reader.cancel().catch(() => undefined);
    throw err;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maxBytes: number): ApiError<'payload_too_large'> {
  return new ApiError('payload_too_large', { maxBytes });
}

/**
 * Reads every request body once, up front, into memory (at most `maxBytes`; more is a 413), so that a body the
 * client breaks off or malforms is the client's 400 here and never an "unexpected error" in some later reader.
 *
 * Node's HTTP parser answers a malformed chunked body with its own 400 and closes the connection; the request
 * stream then fails with a bare `aborted` error. Left to surface wherever the body happens to be read, that error
 * was logged as unexpected and counted as a 500 in /metrics. Here it becomes ApiError 400 `unreadable_body` (the
 * client is gone and never sees it, but logs and metrics tell the truth).
 *
 * A JSON body must also be valid UTF-8: a decoder would otherwise replace bad bytes with U+FFFD and the request
 * would be stored as something the client did not send.
 */
export function readRequestBody(maxBytes: number): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.header('content-length');
    if (declared !== undefined && !c.req.header('transfer-encoding') && Number(declared) > maxBytes) throw tooLarge(maxBytes);
    let bytes: Uint8Array;
    try {
      bytes = await readAtMost(body, maxBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) throw tooLarge(maxBytes);
      throw new ApiError('unreadable_body');
    }
    const contentType = c.req.header('content-type')?.split(';')[0].trim();
    if (contentType && JSON_MEDIA_TYPE.test(contentType)) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw new ApiError('invalid_json', { reason: 'it is not valid UTF-8' });
      }
    }
    c.req.raw = new Request(c.req.raw, { body: bytes });
    await next();
  };
}
