import type { MiddlewareHandler } from 'hono';
import { requestId as honoRequestId } from 'hono/request-id';
import { newId } from '../ids';
import type { ApiEnv } from './types';

export const REQUEST_ID_HEADER = 'x-request-id';
/** A caller's id is echoed into logs and headers: Hono's check (letters, digits, `_`, `-`, `=`) and at most this long. */
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * Hono's requestId middleware: the caller's `x-request-id` when it is a plain token of at most 128 characters, else a
 * new `req_…` id; `c.get('requestId')` and the response header carry it.
 */
export function requestId(): MiddlewareHandler<ApiEnv> {
  return honoRequestId({ headerName: REQUEST_ID_HEADER, limitLength: MAX_REQUEST_ID_LENGTH, generator: () => newId('req') }) as MiddlewareHandler<ApiEnv>;
}
