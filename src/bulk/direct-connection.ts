import { createRedisConnection } from '../redis/connection';
import type { Config } from '../config';
import type { AppContext } from '../context';
import { openPostgres } from '../db/database';
import { createDeployflowProducer } from '../app/deployflow-engine';
import { defaultSettings } from '../app/settings';
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
  const redis = createRedisConnection(config.REDIS_URL!, { maxRetriesPerRequest: 3, connectTimeout: 5_000 });
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
  // Only the producer: the flows run on the workers of `npm start` / `npm run worker`, which talk to Krane.
  const engine = createDeployflowProducer(ctx);
  const settings = defaultSettings(config);
  return {
    deps: { prisma: db.prisma, enqueue: (operationId) => engine.producer.enqueue(operationId), openapiLimits: { timeoutMs: settings.instanceHttpTimeoutMs, maxBytes: settings.openapiMaxBytes } },
    async close() {
      await engine.close();
      await closeClients();
    },
  };
}
