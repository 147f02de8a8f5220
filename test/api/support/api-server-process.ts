/**
 * The HTTP API alone, as its own OS process (as `npm start` serves it, outside Jest's module sandbox), for tests that
 * need what Node's HTTP server does on a real socket. Reads DATABASE_URL, REDIS_URL and QUEUE_PREFIX; logs JSON
 * lines to stderr at debug level; prints `listening <port>` on stdout once it serves.
 */
import { serve } from '@hono/node-server';
import IORedis from 'ioredis';
import { createApiApp } from '../../../src/api/app';
import { createOperationWatcher } from '../../../src/app/operation-watcher';
import { loadConfig } from '../../../src/config';
import type { ControlPlaneContext } from '../../../src/context';
import { openPostgres } from '../../../src/db/database';
import { createLogger } from '../../../src/logger';
import { createIdleEngine } from './idle-engine';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'debug' });
const db = openPostgres(config.DATABASE_URL!, 2);
const redis = new IORedis(config.REDIS_URL!, { maxRetriesPerRequest: null });
const logger = createLogger('debug', { service: 'api-under-test' });
const base = { config, db, prisma: db.prisma, redis, logger };
const idle = createIdleEngine(base);
const watcher = createOperationWatcher(base);
const ctx: ControlPlaneContext = { ...base, operations: idle.producer, watcher };
const server = serve({ fetch: createApiApp(ctx).fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`listening ${info.port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void Promise.allSettled([watcher.close(), idle.close(), redis.quit(), db.close()]).then(() => process.exit(0));
});
