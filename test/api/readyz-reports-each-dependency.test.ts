import { createApiApp } from '../../src/api/app';
import { createOperationWatcher } from '../../src/app/operation-watcher';
import type { OperationWatcher } from '../../src/events/operation-watcher';
import { loadConfig } from '../../src/config';
import type { AppContext } from '../../src/context';
import { openPostgres } from '../../src/db/database';
import { silentLogger } from '../../src/logger';
import { readTestServices } from '../support/services-file';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testRedis } from '../support/test-redis';
import type { ProducerEngine } from '../../src/engine/engine';
import type { RedisConnection } from '../../src/redis/connection';
import { createIdleEngine } from './support/idle-engine';

describe('GET /readyz and /healthz', () => {
  let db: TestDatabase;
  const config = loadConfig({ NODE_ENV: 'test' });
  // The probes never touch the engine; the app needs one to mount the queue dashboard, so it has its own connection.
  let engine: ProducerEngine;
  let engineRedis: RedisConnection;
  let watcher: OperationWatcher;
  beforeAll(async () => {
    db = await createTestDatabase();
    engineRedis = testRedis().connect();
    engine = createIdleEngine({ config, db, prisma: db.prisma, redis: engineRedis, logger: silentLogger });
    watcher = createOperationWatcher({ config, redis: engineRedis, logger: silentLogger });
  });
  afterAll(async () => {
    await watcher.close();
    await engine.close();
    engineRedis.disconnect();
    await db.drop();
  });

  const request = async (ctx: AppContext, path: string) => {
    const res = await createApiApp({ ...ctx, operations: engine.producer, watcher }).request(path);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json()) as any };
  };

  it('is ready when Redis and the database answer', async () => {
    const redis = testRedis().connect();
    try {
      const res = await request({ config, db, prisma: db.prisma, redis, logger: silentLogger }, '/readyz');
      expect(res).toEqual({ status: 200, body: { status: 'ready', checks: { redis: 'ok', database: 'ok' } } });
    } finally {
      redis.disconnect();
    }
  });

  it('answers 503 naming redis when Redis is disconnected, and stays alive for /healthz', async () => {
    const redis = testRedis().connect();
    await redis.ping();
    redis.disconnect();
    const ctx: AppContext = { config, db, prisma: db.prisma, redis, logger: silentLogger };
    const res = await request(ctx, '/readyz');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('not_ready');
    expect(res.body.error.message).toBe('not ready: redis unavailable');
    expect(res.body.error.details.checks).toEqual({ redis: 'failed', database: 'ok' });
    expect(await request(ctx, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('answers 503 naming the database when it cannot be reached', async () => {
    const redis = testRedis().connect();
    const missing = openPostgres(`postgresql://postgres@127.0.0.1:${readTestServices().postgresPort}/no_such_database_here`, 1);
    try {
      const res = await request({ config, db: missing, prisma: missing.prisma, redis, logger: silentLogger }, '/readyz');
      expect(res.status).toBe(503);
      expect(res.body.error.message).toBe('not ready: database unavailable');
      expect(res.body.error.details.checks).toEqual({ redis: 'ok', database: 'failed' });
    } finally {
      redis.disconnect();
      await missing.close();
    }
  });

  it('names both when both are down', async () => {
    const redis = testRedis().connect();
    redis.disconnect();
    const missing = openPostgres(`postgresql://postgres@127.0.0.1:${readTestServices().postgresPort}/no_such_database_here`, 1);
    try {
      const res = await request({ config, db: missing, prisma: missing.prisma, redis, logger: silentLogger }, '/readyz');
      expect(res.status).toBe(503);
      expect(res.body.error.message).toBe('not ready: redis and database unavailable');
    } finally {
      await missing.close();
    }
  });
});
