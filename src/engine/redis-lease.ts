import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

// Renews the lease only while this holder still owns it (a lease that expired and was taken by another must stay theirs).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type LeaseOutcome<T> = { ran: true; value: T } | { ran: false; heldBy: string | null };

/**
 * Runs `work` only if no other holder (in any process) has the lease on `key`: single-flight across processes.
 * The lease expires after `ttlMs` unless renewed, so a holder that dies (kill -9) blocks others for at most `ttlMs`;
 * while `work` runs it is renewed every third of that.
 */
export async function withRedisLease<T>(redis: Redis, key: string, ttlMs: number, work: () => Promise<T>): Promise<LeaseOutcome<T>> {
  const token = `${process.pid}:${randomBytes(8).toString('hex')}`;
  const taken = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return { ran: false, heldBy: await redis.get(key) };
  const renew = setInterval(() => {
    redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => undefined);
  }, Math.max(100, Math.floor(ttlMs / 3)));
  renew.unref();
  try {
    return { ran: true, value: await work() };
  } finally {
    clearInterval(renew);
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
