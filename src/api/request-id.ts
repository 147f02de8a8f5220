import type { MiddlewareHandler } from 'hono';
import { newId } from '../ids';
import type { ApiEnv } from './types';

export const REQUEST_ID_HEADER = 'x-request-id';
// A caller's id is echoed into logs and headers, so only a plain token is accepted; anything else is replaced.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Every response carries `x-request-id`: the caller's when it sent a sane one, else a new `req_…` id. */
export function requestId(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const id = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : newId('req');
    c.set('requestId', id);
    c.header(REQUEST_ID_HEADER, id);
    await next();
    if (c.res.headers.get(REQUEST_ID_HEADER) !== id) c.res.headers.set(REQUEST_ID_HEADER, id);
  };
}
