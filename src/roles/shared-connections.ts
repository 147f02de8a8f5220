import type { Config } from '../config';
import type { AppContext } from '../context';
import { type Database, openPostgres } from '../db/database';
import type { Logger } from '../logger';
import { createRedisConnection, type RedisConnection } from '../redis/connection';
import { DependencyHealth } from '../services/dependency-health';
import { quitRedis } from '../services/quit-redis';
import { redactUrl } from '../services/redact-url';
import type { Shutdown } from '../services/shutdown';

export type SharedConfig = Config & { REDIS_URL: string; DATABASE_URL: string };

export interface SharedConnections {
  db: Database;
  /** The shared command connection (BullMQ-safe: no per-request retry limit). */
  redis: RedisConnection;
  health: DependencyHealth;
  /** Probes for a health server: each goes to its server on a connection that never queues. */
  checks: { redis: () => Promise<unknown>; database: () => Promise<unknown> };
  ctx: AppContext;
}

/**
 * What every role but krane opens first: PostgreSQL (migrated: the first role up applies pending migrations, under
 * the migrator's advisory lock, so roles may start in any order), the shared Redis connection, and the probes that
 * turn outages into one log line each. Each part registers its stop with `shutdown`.
 */
export async function openSharedConnections(config: SharedConfig, logger: Logger, shutdown: Shutdown): Promise<SharedConnections> {
  const health = new DependencyHealth(logger, { redis: redactUrl(config.REDIS_URL), database: redactUrl(config.DATABASE_URL) });
  const db = openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  shutdown.add('database', () => db.close(), 3_000);
  const applied = await db.migrate();
  logger.info('database ready', { kind: db.kind, migrationsApplied: applied });
  const redis = createRedisConnection(config.REDIS_URL, { maxRetriesPerRequest: null });
  health.watchRedisConnection(redis);
  shutdown.add('redis connection', () => quitRedis(redis), 1_000);
  // Probes on a connection of their own that never queues: a command waiting for Redis would hide the outage.
  const probe = createRedisConnection(config.REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectionName: 'deployflow:health-probe' });
  health.watchRedisConnection(probe);
  const checks = { redis: () => probe.ping(), database: () => db.ping() };
  const stopProbes = health.startProbes(checks);
  shutdown.add('health probes', () => {
    stopProbes();
    probe.disconnect();
  });
  return { db, redis, health, checks, ctx: { config, db, prisma: db.prisma, redis, logger, health } };
}
