import IORedis, { Redis } from 'ioredis';
import type { RedisConnection } from '../../../src/redis/connection';
import type { Db } from '../../../src/db/prisma';
import { redisStateEvents, type StateEvents } from '../../../src/engine/state-events';
import { OperationWatcher } from '../../../src/events/operation-watcher';
import { newId } from '../../../src/ids';
import { silentLogger } from '../../../src/logger';
import { seedProject } from '../../support/seed';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { testRedis } from '../../support/test-redis';

/** Real PostgreSQL and Redis, a publisher under a prefix of its own, and watchers made to measure. No engine, no Krane. */
export interface WatchBed {
  db: TestDatabase;
  redis: RedisConnection;
  redisUrl: string;
  prefix: string;
  events: StateEvents;
  /** A watcher on a subscriber connection named `connectionName` (so CLIENT LIST finds it); closed by close(). */
  watcher(options?: { fallbackMs?: number; connectionName?: string; retryStrategy?: () => number }): OperationWatcher & { connections: Redis[] };
  /** A queued rollback operation row. */
  operation(): Promise<string>;
  /** The Prisma client with `operation.findUnique` counted and, when given, `around` each such read. */
  countingReads(around?: (read: number, query: () => Promise<unknown>) => Promise<unknown>): { prisma: Db; reads(): number };
  close(): Promise<void>;
}

export async function startWatchBed(): Promise<WatchBed> {
  const db = await createTestDatabase();
  const r = testRedis();
  const redis = r.connect();
  const prefix = `{${r.prefix}}`;
  const seeded = await seedProject(db.prisma);
  const watchers: OperationWatcher[] = [];
  return {
    db,
    redis,
    redisUrl: r.url,
    prefix,
    events: redisStateEvents(redis, prefix, silentLogger),
    watcher(options = {}) {
      const connections: Redis[] = [];
      const watcher = new OperationWatcher({
        prefix,
        logger: silentLogger,
        fallbackMs: options.fallbackMs,
        connect: () => {
          const c = new IORedis(r.url, {
            maxRetriesPerRequest: null,
            connectionName: options.connectionName,
            ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
          });
          c.on('error', () => undefined);
          connections.push(c);
          return c;
        },
      });
      watchers.push(watcher);
      return Object.assign(watcher, { connections });
    },
    async operation() {
      const op = await db.prisma.operation.create({ data: { id: newId('op'), kind: 'rollback', projectId: seeded.project.id, requestedBy: 'test' } });
      return op.id;
    },
    countingReads(around) {
      let reads = 0;
      const prisma = db.prisma.$extends({
        query: {
          operation: {
            findUnique({ args, query }) {
              reads++;
              return around ? around(reads, () => query(args)) : query(args);
            },
          },
        },
      }) as unknown as Db;
      return { prisma, reads: () => reads };
    },
    async close() {
      await Promise.all(watchers.map((w) => w.close()));
      redis.disconnect();
      await db.drop();
    },
  };
}
