import IORedis from 'ioredis';
import { loadConfigOrExit } from './config';
import type { AppContext } from './context';
import { openPostgres } from './db/database';
import { createEngine } from './engine/engine';
import { createKraneClient } from './krane/client';
import { createLogger } from './logger';

/**
 * `npm run worker`: workers only, for scaling out. Needs REDIS_URL, DATABASE_URL (PostgreSQL) and KRANE_URL —
 * shared services, since several worker processes must see the same state.
 * ENGINE_SETTINGS (JSON) overrides engine tunables, e.g. '{"pollIntervalMs":100}'.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const missing = (['REDIS_URL', 'DATABASE_URL', 'KRANE_URL'] as const).filter((name) => !config[name]);
  if (missing.length) {
    console.error(`npm run worker needs ${missing.join(', ')}: workers share Redis, PostgreSQL and Krane with the API process`);
    process.exit(2);
  }
  const logger = createLogger(config.LOG_LEVEL, { service: 'deployflow-worker', pid: process.pid });
  const db = openPostgres(config.DATABASE_URL!, config.DATABASE_POOL_SIZE);
  const redis = new IORedis(config.REDIS_URL!, { maxRetriesPerRequest: null });
  const ctx: AppContext = { config, db, prisma: db.prisma, redis, logger };
  const krane = createKraneClient(config.KRANE_URL!);
  const overrides = process.env.ENGINE_SETTINGS ? JSON.parse(process.env.ENGINE_SETTINGS) : {};
  const engine = createEngine(ctx, krane, overrides, config.REDIS_URL);
  engine.startWorkers();
  logger.info('workers started', { concurrency: config.WORKER_CONCURRENCY });

  const shutdown = async () => {
    await engine.close();
    krane.close();
    await redis.quit();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

void main();
