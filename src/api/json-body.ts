import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import type { ApiEnv } from './types';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Parses a JSON body once, up front, so malformed JSON is a clear 400 `invalid_json` (with the parser's reason)
 * before idempotency hashing or any route code runs. The parse is cached by Hono for the validators.
 */
export function rejectMalformedJson(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const contentType = c.req.header('content-type');
    if (METHODS_WITH_BODY.has(c.req.method) && contentType && JSON_MEDIA_TYPE.test(contentType.split(';')[0].trim())) {
      try {
        await c.req.json();
      } catch (err) {
        throw new ApiError('invalid_json', { reason: err instanceof SyntaxError ? err.message : undefined });
      }
    }
    await next();
  };
}
