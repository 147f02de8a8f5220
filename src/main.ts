import path from 'node:path';
import { serve } from '@hono/node-server';
import IORedis from 'ioredis';
import { createApiApp } from './api/app';
import { ensureRootKey } from './auth/api-key';
import { loadConfigOrExit } from './config';
import type { AppContext, ControlPlaneContext } from './context';
import { Database, openPglite, openPostgres } from './db/database';
import { createEngine } from './engine/engine';
import { startGatewayService } from './gateway';
import { startGrpcServer } from './grpc';
import { createKraneClient } from './krane/client';
import { startEmbeddedKrane } from './krane/embedded';
import { createLogger } from './logger';
import { startEmbeddedRedis } from './services/embedded-redis';
import { MissingBinaryError } from './services/find-binary';

type Stop = () => Promise<unknown> | unknown;

function remoteKrane(url: string) {
  const client = createKraneClient(url);
  return { client, stop: async () => client.close() };
}

/**
 * `npm start`: the whole control plane in one process on embedded defaults — its own redis-server when REDIS_URL is
 * unset, PGlite when DATABASE_URL is unset, the embedded Krane when KRANE_URL is unset — then the HTTP API, the
 * gateway and the workers. SIGTERM/SIGINT stop everything, children included, in reverse order.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL, { service: 'deployflow' });
  const stops: Stop[] = [];
  let stopping = false;
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.warn('error while stopping', { error: (err as Error).message });
      }
    }
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    let redisUrl = config.REDIS_URL;
    if (!redisUrl) {
      const redisServer = await startEmbeddedRedis(path.join(config.DATA_DIR, 'redis'));
      stops.push(() => redisServer.service.stop());
      redisUrl = redisServer.url;
      logger.info('embedded redis-server started', { url: redisUrl, pid: redisServer.service.pid, dir: path.join(config.DATA_DIR, 'redis') });
    }
    const db: Database = config.DATABASE_URL ? openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE) : await openPglite(path.join(config.DATA_DIR, 'pg'));
    stops.push(() => db.close());
    const applied = await db.migrate();
    logger.info('database ready', { kind: db.kind, migrationsApplied: applied });

    const redis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    stops.push(() => redis.quit());
    const ctx: AppContext = { config: { ...config, REDIS_URL: redisUrl }, db, prisma: db.prisma, redis, logger };

    const root = await ensureRootKey(db.prisma, config.ROOT_API_KEY);
    if (root.key) {
      console.log(`\nRoot API key (shown once, keep it): ${root.key}\n`);
    }

    const krane = config.KRANE_URL ? remoteKrane(config.KRANE_URL) : await startEmbeddedKrane({ rootDir: process.cwd(), imagesDir: config.KRANE_IMAGES_DIR });
    stops.push(() => krane.stop());
    const engine = createEngine(ctx, krane.client, {}, redisUrl);
    stops.push(() => engine.close());
    engine.startWorkers();
    await engine.scheduleReconciler();

    const gateway = await startGatewayService({ redisUrl, prefix: config.QUEUE_PREFIX, prisma: db.prisma, port: config.GATEWAY_PORT, host: config.HOST, resyncMs: config.GATEWAY_RESYNC_MS, logger });
    stops.push(() => gateway.close());

    const controlPlane: ControlPlaneContext = { ...ctx, engine };
    const grpc = await startGrpcServer(controlPlane, { host: config.HOST, port: config.GRPC_PORT });
    stops.push(() => grpc.stop());

    const app = createApiApp(controlPlane);
    const server = serve({ fetch: app.fetch, port: config.API_PORT, hostname: config.HOST });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Open event streams (GET /v1/deployments/:id/events) would hold close() for minutes: cut them after a grace.
          setTimeout(() => (server as { closeAllConnections?: () => void }).closeAllConnections?.(), 2_000).unref();
        }),
    );
    logger.info('deployflow is up', {
      api: `http://${config.HOST}:${config.API_PORT}`,
      gateway: `http://${config.HOST}:${gateway.port}`,
      grpc: `${config.HOST}:${grpc.port}`,
      krane: config.KRANE_URL ?? 'embedded (process driver)',
      database: db.kind,
    });
  } catch (err) {
    if (err instanceof MissingBinaryError) console.error(err.message);
    else logger.error('start failed', { error: (err as Error).stack ?? String(err) });
    await shutdown('start failure', 1);
  }
}

void main();
