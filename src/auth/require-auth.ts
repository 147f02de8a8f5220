import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';
import type { ApiEnv } from '../api/types';
import type { AppContext } from '../context';
import { verifyApiKey } from './api-key';
import { KeyUseRecorder } from './key-use';
import type { AuthContext } from './auth-context';

/** The secret from `Authorization: Bearer <key>`, or undefined when the header is absent or another scheme. */
export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  if (!header) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/**
 * 401 unless the request carries a valid, unrevoked, unexpired API key; then `c.get('auth')` says who is calling.
 * The key's `lastUsedAt` is brought up to date (at most one write a minute per key); failing that never fails the request.
 */
export function requireAuth(ctx: AppContext): MiddlewareHandler<ApiEnv> {
  const keyUse = new KeyUseRecorder(ctx.prisma);
  return async (c, next) => {
    // Already authenticated by an event stream token (acceptEventStreamToken, mounted on that one route only).
    if (c.get('auth')) return next();
    const presented = bearerToken(c);
    if (!presented) {
      throw new ApiError('unauthorized', { problem: 'missing', via: 'header' });
    }
    const record = await verifyApiKey(ctx.prisma, presented);
    if (!record) throw new ApiError('unauthorized', { problem: 'invalid', via: 'header' });
    const auth: AuthContext = {
      apiKeyId: record.id,
      workspaceId: record.workspaceId,
      role: record.role,
      isRoot: record.workspaceId === null && record.role === 'admin',
    };
    c.set('auth', auth);
    try {
      await keyUse.record(record);
    } catch (err) {
      c.get('logger')?.warn('could not record the use of an API key', { apiKeyId: record.id, error: err instanceof Error ? err.message : String(err) });
    }
    await next();
  };
}
