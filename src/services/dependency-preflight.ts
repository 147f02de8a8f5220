import { Client } from 'pg';
import { createRedisConnection } from '../redis/connection';
import { redactUrl, withoutPassword } from './redact-url';

/** Redis or PostgreSQL did not answer at start: nothing was started, nothing was written. */
export class DependencyUnreachableError extends Error {
  constructor(
    readonly dependency: 'Redis' | 'PostgreSQL',
    readonly url: string,
    readonly waitedMs: number,
    readonly lastError: string,
  ) {
    super(`${dependency} at ${redactUrl(url)} is not reachable (${withoutPassword(lastError, url)}); gave up after ${Math.round(waitedMs / 1000)} s`);
    this.name = 'DependencyUnreachableError';
  }
}

const RETRY_PAUSE_MS = 250;

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return message.split('\n')[0];
}

async function retryUntil(deadline: number, attempt: (remainingMs: number) => Promise<void>): Promise<string | undefined> {
  let lastError = 'no answer';
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return lastError;
    try {
      await attempt(remaining);
      return undefined;
    } catch (err) {
      lastError = describe(err);
    }
    if (deadline - Date.now() <= RETRY_PAUSE_MS) return lastError;
    await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
  }
}

/** One connection at a time, no reconnects and no offline queue: each try either answers PING or fails. */
async function pingRedisOnce(url: string, timeoutMs: number): Promise<void> {
  const client = createRedisConnection(url, {
    lazyConnect: true,
    connectTimeout: Math.max(100, Math.min(timeoutMs, 5_000)),
    commandTimeout: Math.max(100, Math.min(timeoutMs, 5_000)),
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The connection's own error says why (ECONNREFUSED, WRONGPASS); connect() itself only says "Connection is closed".
  let connectionError: Error | undefined;
  client.on('error', (err: Error) => (connectionError ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw connectionError ?? err;
  } finally {
    client.disconnect();
  }
}

async function queryPostgresOnce(url: string, timeoutMs: number): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: Math.max(100, Math.min(timeoutMs, 5_000)) });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Resolves once Redis at `url` answers PING; retries (a server starting alongside us) until `timeoutMs`. */
export async function waitForRedisReachable(url: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  const failure = await retryUntil(started + timeoutMs, (remaining) => pingRedisOnce(url, remaining));
  if (failure !== undefined) throw new DependencyUnreachableError('Redis', url, Date.now() - started, failure);
}

/** Resolves once PostgreSQL at `url` answers a query; retries until `timeoutMs`. */
export async function waitForPostgresReachable(url: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  const failure = await retryUntil(started + timeoutMs, (remaining) => queryPostgresOnce(url, remaining));
  if (failure !== undefined) throw new DependencyUnreachableError('PostgreSQL', url, Date.now() - started, failure);
}
