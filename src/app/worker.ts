import IORedis from 'ioredis';
import type { Config } from '../config';
import type { AppContext } from '../context';
import { openPostgres } from '../db/database';
import { createKraneClient } from '../krane/client';
import type { Logger } from '../logger';
import { DependencyHealth } from '../services/dependency-health';
import { quitRedis } from '../services/quit-redis';
import { redactUrl } from '../services/redact-url';
import type { Shutdown } from '../services/shutdown';
import { createDeployflowEngine } from './deployflow-engine';
import type { Settings } from './settings';

/**
 * What `npm run worker` runs once its entry point has seen Redis and PostgreSQL answer: the engine's workers with
 * every flow, against shared Redis, PostgreSQL and Krane. Each part registers its stop with `shutdown`.
 */
export function startWorkerProcess(
  config: Config & { REDIS_URL: string; DATABASE_URL: string; KRANE_URL: string; KRANE_TOKEN: string },
  logger: Logger,
  shutdown: Shutdown,
  overrides: Partial<Settings>,
): void {
  const health = new DependencyHealth(logger, { redis: redactUrl(config.REDIS_URL), database: redactUrl(config.DATABASE_URL) });
  const db = openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  shutdown.add('database', () => db.close(), 3_000);
  const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: null });
  health.watchRedisConnection(redis);
  shutdown.add('redis connection', () => quitRedis(redis), 1_000);
  // Probes on a connection of their own that never queues: a command waiting for Redis would hide the outage.
  const probe = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectionName: 'deployflow:health-probe' });
  health.watchRedisConnection(probe);
  const stopProbes = health.startProbes({ redis: () => probe.ping(), database: () => db.ping() });
  shutdown.add('health probes', () => {
    stopProbes();
    probe.disconnect();
  });
  const ctx: AppContext = { config, db, prisma: db.prisma, redis, logger, health };
  const krane = createKraneClient(config.KRANE_URL, { token: config.KRANE_TOKEN });
  shutdown.add('krane client', () => krane.close());
  const engine = createDeployflowEngine(ctx, krane, overrides, config.REDIS_URL);
  // Redis gone: jobs in flight can neither finish nor be waited for; they stall and run again on another worker.
  shutdown.add('workers', () => engine.close({ force: health.isDown('redis') || redis.status !== 'ready' }));
  engine.startWorkers();
  logger.info('workers started', { concurrency: config.WORKER_CONCURRENCY });
}
