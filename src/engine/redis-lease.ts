import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { RedisConnection } from '../redis/connection';
import { LuaScript } from '../redis/lua-script';

const RENEW = new LuaScript<number>('deployflowRenewLease', path.join(__dirname, 'scripts', 'renew-lease.lua'), 1);
const RELEASE = new LuaScript<number>('deployflowReleaseLease', path.join(__dirname, 'scripts', 'release-lease.lua'), 1);

export type LeaseOutcome<T> = { ran: true; value: T } | { ran: false; heldBy: string | null };

/**
 * Runs `work` only if no other holder (in any process) has the lease on `key`: single-flight across processes.
 * The lease expires after `ttlMs` unless renewed, so a holder that dies (kill -9) blocks others for at most `ttlMs`;
 * while `work` runs it is renewed every third of that.
 */
export async function withRedisLease<T>(redis: RedisConnection, key: string, ttlMs: number, work: () => Promise<T>): Promise<LeaseOutcome<T>> {
  const token = `${process.pid}:${randomBytes(8).toString('hex')}`;
  const taken = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return { ran: false, heldBy: await redis.get(key) };
  const renew = setInterval(() => {
    RENEW.run(redis, [key], [token, ttlMs]).catch(() => undefined);
  }, Math.max(100, Math.floor(ttlMs / 3)));
  renew.unref();
  try {
    return { ran: true, value: await work() };
  } finally {
    clearInterval(renew);
    await RELEASE.run(redis, [key], [token]).catch(() => undefined);
  }
}
