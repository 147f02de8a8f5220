import IORedis from 'ioredis';
import { loadConfigOrExit } from './config';
import type { AppContext } from './context';
import { openPostgres } from './db/database';
import { createEngine } from './engine/engine';
import { createKraneClient } from './krane/client';
import { createLogger } from './logger';
import { DependencyHealth } from './services/dependency-health';
import { DependencyUnreachableError, waitForPostgresReachable, waitForRedisReachable } from './services/dependency-preflight';
import { quitRedis } from './services/quit-redis';
import { redactUrl } from './services/redact-url';
import { Shutdown } from './services/shutdown';

/**
 * `npm run worker`: workers only, for scaling out. Needs REDIS_URL, DATABASE_URL (PostgreSQL), KRANE_URL and
 * KRANE_TOKEN — shared services, since several worker processes must see the same state.
 * ENGINE_SETTINGS (JSON) overrides engine tunables, e.g. '{"pollIntervalMs":100}'.
 * SIGTERM/SIGINT stop it within SHUTDOWN_TIMEOUT_MS (jobs in flight get that long); a second signal stops it at once.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const missing = (['REDIS_URL', 'DATABASE_URL', 'KRANE_URL', 'KRANE_TOKEN'] as const).filter((name) => !config[name]);
  if (missing.length) {
    console.error(`npm run worker needs ${missing.join(', ')}: workers share Redis, PostgreSQL and Krane (with its token) with the API process`);
    process.exit(2);
  }
  const logger = createLogger(config.LOG_LEVEL, { service: 'deployflow-worker', pid: process.pid }, { format: config.LOG_FORMAT });
  const shutdown = new Shutdown({ logger, deadlineMs: config.SHUTDOWN_TIMEOUT_MS });
  shutdown.install();
  try {
    await Promise.all([
      waitForRedisReachable(config.REDIS_URL!, config.STARTUP_DEPENDENCY_TIMEOUT_MS),
      waitForPostgresReachable(config.DATABASE_URL!, config.STARTUP_DEPENDENCY_TIMEOUT_MS),
    ]);
  } catch (err) {
    if (err instanceof DependencyUnreachableError) {
      console.error(`deployflow worker: cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  const health = new DependencyHealth(logger, { redis: redactUrl(config.REDIS_URL!), database: redactUrl(config.DATABASE_URL!) });
  const db = openPostgres(config.DATABASE_URL!, config.DATABASE_POOL_SIZE);
  shutdown.add('database', () => db.close(), 3_000);
  const redis = new IORedis(config.REDIS_URL!, { maxRetriesPerRequest: null });
  health.watchRedisConnection(redis);
  shutdown.add('redis connection', () => quitRedis(redis), 1_000);
  // Probes on a connection of their own that never queues: a command waiting for Redis would hide the outage.
  const probe = new IORedis(config.REDIS_URL!, { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectionName: 'deployflow:health-probe' });
  health.watchRedisConnection(probe);
  const stopProbes = health.startProbes({ redis: () => probe.ping(), database: () => db.ping() });
  shutdown.add('health probes', () => {
    stopProbes();
    probe.disconnect();
  });
  const ctx: AppContext = { config, db, prisma: db.prisma, redis, logger, health };
  const krane = createKraneClient(config.KRANE_URL!, { token: config.KRANE_TOKEN! });
  shutdown.add('krane client', () => krane.close());
  const overrides = process.env.ENGINE_SETTINGS ? JSON.parse(process.env.ENGINE_SETTINGS) : {};
  const engine = createEngine(ctx, krane, overrides, config.REDIS_URL);
  // Redis gone: jobs in flight can neither finish nor be waited for; they stall and run again on another worker.
  shutdown.add('workers', () => engine.close({ force: health.isDown('redis') || redis.status !== 'ready' }));
  engine.startWorkers();
  logger.info('workers started', { concurrency: config.WORKER_CONCURRENCY });
}

void main();
