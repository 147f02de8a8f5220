import path from 'node:path';
import { ensureRootKey } from '../auth/api-key';
import type { Config } from '../config';
import type { AppContext } from '../context';
import { Database, openPglite, openPostgres } from '../db/database';
import { createDeployflowEngine } from './deployflow-engine';
import { serveApi } from './serve-api';
import { serveGateway } from './serve-gateway';
import { restoreRoutedInstances } from '../deployments/restore-instances';
import { createKraneClient } from '../krane/client';
import { DriverUnavailableError } from '../krane/driver';
import { createDeployflowMetrics } from '../metrics/deployflow-metrics';
import { createKraneDriver } from '../krane/drivers/create-driver';
import { startEmbeddedKrane } from '../krane/embedded';
import type { Logger } from '../logger';
import { createRedisConnection } from '../redis/connection';
import { DependencyHealth } from '../services/dependency-health';
import { startEmbeddedRedis } from '../services/embedded-redis';
import { MissingBinaryError } from '../services/find-binary';
import { quitRedis } from '../services/quit-redis';
import { redactUrl } from '../services/redact-url';
import type { Shutdown } from '../services/shutdown';
import { StartupState } from '../services/startup-state';

/**
 * Everything `npm start` runs, once the entry point (`main.ts`) holds DATA_DIR and has seen Redis and PostgreSQL
 * answer: the embedded servers, the engine, the gateway, gRPC and the HTTP API; then the root key, then the
 * instances of routed deployments, and only then does /readyz say ready. Each part registers its stop with
 * `shutdown` as soon as it runs; a failure stops what was started and exits 1.
 */
export async function startControlPlane(config: Config, logger: Logger, shutdown: Shutdown): Promise<void> {
  const startup = new StartupState();
  try {
    let redisUrl = config.REDIS_URL;
    if (!redisUrl) {
      const redisDir = path.join(config.DATA_DIR, 'redis');
      const redisServer = await startEmbeddedRedis(redisDir);
      shutdown.add('redis-server', () => redisServer.service.stop(3_000));
      redisUrl = redisServer.url;
      logger.info('embedded redis-server started', { url: redisUrl, pid: redisServer.service.pid, dir: redisDir });
    }
    const db: Database = config.DATABASE_URL ? openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE) : await openPglite(path.join(config.DATA_DIR, 'pg'));
    shutdown.add('database', () => db.close(), 3_000);
    const applied = await db.migrate();
    logger.info('database ready', { kind: db.kind, migrationsApplied: applied });

    const health = new DependencyHealth(logger, {
      redis: redactUrl(redisUrl),
      database: config.DATABASE_URL ? redactUrl(config.DATABASE_URL) : `PGlite in ${path.join(config.DATA_DIR, 'pg')}`,
    });
    const redis = createRedisConnection(redisUrl, { maxRetriesPerRequest: null });
    health.watchRedisConnection(redis);
    shutdown.add('redis connection', () => quitRedis(redis), 1_000);
    // Probes on a connection of their own that never queues: a command waiting for Redis would hide the outage.
    const probe = createRedisConnection(redisUrl, { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectionName: 'deployflow:health-probe' });
    health.watchRedisConnection(probe);
    const stopProbes = health.startProbes({ redis: () => probe.ping(), database: () => db.ping() });
    shutdown.add('health probes', () => {
      stopProbes();
      probe.disconnect();
    });
    const ctx: AppContext = { config: { ...config, REDIS_URL: redisUrl }, db, prisma: db.prisma, redis, logger, health, startup, metrics: createDeployflowMetrics() };

    // KRANE_DRIVER picks the embedded Krane's driver; the docker driver re-adopts the containers it already runs.
    const selected = config.KRANE_URL
      ? undefined
      : await createKraneDriver({
          driver: config.KRANE_DRIVER,
          rootDir: process.cwd(),
          imagesDir: config.KRANE_IMAGES_DIR,
          kraneId: config.KRANE_ID,
          dataDir: config.DATA_DIR,
          dockerNetwork: config.KRANE_DOCKER_NETWORK,
        });
    const embeddedKrane = selected ? await startEmbeddedKrane({ driver: selected.driver }) : undefined;
    const krane = embeddedKrane ?? { client: createKraneClient(config.KRANE_URL!, { token: config.KRANE_TOKEN! }), stop: async () => undefined };
    shutdown.add('krane and its instances', async () => {
      krane.client.close();
      // The driver first: the instances must stop even if the Krane server still waits for a call in flight.
      await Promise.all([embeddedKrane?.driver.shutdown(), krane.stop()]);
    });
    if (selected && !selected.readopts) {
      // A fresh embedded Krane runs nothing yet: Instance rows left by the previous run name processes that are gone
      // (or orphans whose ports may since belong to another deployment). The gateway must not route to them.
      // (The docker driver's containers outlived the previous run and were re-adopted: their rows stay, and the
      // gateway keeps serving them through the restart.)
      await db.prisma.instance.updateMany({ where: { status: { not: 'stopped' } }, data: { status: 'stopped' } });
    }

    const engine = createDeployflowEngine(ctx, krane.client, {}, redisUrl);
    // With Redis gone, jobs in flight can neither finish nor be waited for: do not wait (they stall and run again).
    shutdown.add('workers', () => engine.close({ force: health.isDown('redis') || redis.status !== 'ready' }), 4_000);
    engine.startWorkers();
    await engine.scheduleReconciler();

    const gateway = await serveGateway(config, { redisUrl, prisma: db.prisma, logger, health }, shutdown);
    const { grpcPort } = await serveApi(ctx, engine.producer, config, shutdown);
    if (shutdown.inProgress) return;

    // Only now that every port is ours: a start that fails earlier must not have spent the one showing of the key.
    const root = await ensureRootKey(db.prisma, config.ROOT_API_KEY);
    if (root.key) {
      console.log(`\nRoot API key (shown once, keep it): ${root.key}\n`);
    }
    logger.info('deployflow is up; restoring instances before reporting ready', {
      api: `http://${config.HOST}:${config.API_PORT}`,
      gateway: `http://${config.HOST}:${gateway.port}`,
      gatewayMetrics: gateway.metricsPort === undefined ? undefined : `http://${config.HOST}:${gateway.metricsPort}/metrics`,
      gatewayProcesses: gateway.processes,
      grpc: `${config.HOST}:${grpcPort}`,
      krane: config.KRANE_URL ?? `embedded (${selected?.description})`,
      database: db.kind,
    });

    startup.step('restoring the instances of routed deployments');
    const restored = await restoreRoutedInstances({ prisma: db.prisma, krane: krane.client, logger }, { timeoutMs: config.STARTUP_RESTORE_TIMEOUT_MS });
    // The gateway loaded its table before the instances had addresses: load it again now (in every process).
    await gateway.resync();
    if (shutdown.inProgress) return;
    startup.done();
    logger.info('deployflow is ready', {
      restoredMs: restored.ms,
      deployments: restored.deployments,
      healthy: restored.healthy.length,
      notHealthy: restored.notHealthy,
      failed: restored.failed,
      skipped: restored.skipped,
    });
  } catch (err) {
    if (shutdown.inProgress) return;
    if (err instanceof MissingBinaryError || err instanceof DriverUnavailableError) console.error(`deployflow: cannot start: ${err.message}`);
    else logger.error('start failed', { error: (err as Error).stack ?? String(err) });
    await shutdown.run('start failed', 1);
  }
}

