import IORedis from 'ioredis';
import type { Config } from '../config';
import type { AppContext } from '../context';
import { openPostgres } from '../db/database';
import { createEngine } from '../engine/engine';
import { defaultEngineSettings } from '../engine/engine-deps';
import type { KraneClient } from '../krane/client';
import { createLogger } from '../logger';
import type { DirectDeps } from './direct-lines';

/** The direct mode cannot start: a setting is missing or PostgreSQL / Redis does not answer. */
export class DirectConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectConnectionError';
  }
}

export interface DirectConnection {
  deps: DirectDeps;
  close(): Promise<void>;
}

/** Prisma's errors span several lines; the last one says what happened. */
function lastLine(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? 'unknown error';
}

/**
 * The engine façade wants a Krane client, but the script only puts flows on the queues: the workers that run them
 * talk to Krane. Reaching Krane from here would be a bug, so every call fails loudly. (Goes away once the engine has
 * a producer side that needs no Krane.)
 */
const kraneNotUsedByScript: KraneClient = {
  create: async () => {
    throw new Error('the enqueue script does not call Krane (CreateDeployment): workers do');
  },
  get: async () => {
    throw new Error('the enqueue script does not call Krane (GetDeployment): workers do');
  },
  delete: async () => {
    throw new Error('the enqueue script does not call Krane (DeleteDeployment): workers do');
  },
  close: () => undefined,
};

/**
 * `--direct`: PostgreSQL at DATABASE_URL and an enqueue onto the workers' queues at REDIS_URL (QUEUE_PREFIX). This is
 * the only place the script touches the engine; it only enqueues, the workers of `npm start` / `npm run worker` run
 * the flows.
 */
export async function openDirectConnection(config: Config, concurrency: number): Promise<DirectConnection> {
  const missing = (['DATABASE_URL', 'REDIS_URL'] as const).filter((name) => !config[name]);
  if (missing.length) {
    throw new DirectConnectionError(
      `--direct needs ${missing.join(' and ')}: it writes to the PostgreSQL database and enqueues on the Redis the workers use (KRANE_URL is not needed)`,
    );
  }
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, { service: 'deployflow-enqueue' });
  const db = openPostgres(config.DATABASE_URL!, Math.min(config.DATABASE_POOL_SIZE, concurrency + 2));
  // Not the workers' "retry forever" setting: with Redis down, a command fails after a few tries instead of hanging.
  const redis = new IORedis(config.REDIS_URL!, { maxRetriesPerRequest: 3, connectTimeout: 5_000 });
  redis.on('error', () => undefined);
  const closeClients = async () => {
    await redis.quit().catch(() => redis.disconnect());
    await db.close().catch(() => undefined);
  };
  try {
    await db.ping();
  } catch (err) {
    await closeClients();
    throw new DirectConnectionError(`cannot reach PostgreSQL at DATABASE_URL: ${lastLine(err)}`);
  }
  try {
    await redis.ping();
  } catch (err) {
    await closeClients();
    throw new DirectConnectionError(`cannot reach Redis at REDIS_URL: ${lastLine(err)}`);
  }

  const ctx: AppContext = { config, db, prisma: db.prisma, redis, logger };
  const engine = createEngine(ctx, kraneNotUsedByScript, {}, config.REDIS_URL);
  const settings = defaultEngineSettings(config);
  return {
    deps: { prisma: db.prisma, enqueue: engine.enqueue, openapiLimits: { timeoutMs: settings.instanceHttpTimeoutMs, maxBytes: settings.openapiMaxBytes } },
    async close() {
      await engine.close();
      await closeClients();
    },
  };
}
