import type { RedisConnection } from '../../src/redis/connection';
import { loadConfig } from '../../src/config';
import type { AppContext } from '../../src/context';
import type { Settings } from '../../src/app/settings';
import { createDeployflowEngine, DeployflowEngine } from '../../src/app/deployflow-engine';
import { GatewayService, startGatewayService } from '../../src/gateway';
import { openPostgres } from '../../src/db/database';
import { newId } from '../../src/ids';
import { silentLogger } from '../../src/logger';
import { startInstantKrane } from '../support/instant-krane';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testRedis } from '../support/test-redis';

/**
 * Everything short so one operation takes a few tens of milliseconds: instances are up at once, polls and routing
 * turns are looked at often, a deploy whose app never gets healthy fails after a short deadline.
 */
export const FAST_ENGINE_SETTINGS: Partial<Settings> = {
  pollIntervalMs: 50,
  pollDeadlineMs: 400,
  backoffMs: 20,
  stepAttempts: 3,
  instanceHttpTimeoutMs: 1_000,
  routingTurnCheckMs: 25,
};

export interface RoutingBed {
  ctx: AppContext;
  db: TestDatabase;
  engine: DeployflowEngine;
  gateway: GatewayService;
  krane: Awaited<ReturnType<typeof startInstantKrane>>;
  apex: string;
  /** A workspace (slug unique in the run) and a project in it, with production and preview environments. */
  seedProject(workspace: { id: string; slug: string }, projectSlug: string): Promise<SeededProject>;
  seedWorkspace(slug: string): Promise<{ id: string; slug: string }>;
  /** Polls the operation row until it is finished (bounded), and returns it. */
  waitForOperation(operationId: string, timeoutMs?: number): Promise<{ id: string; kind: string; state: string; errorCode: string | null }>;
  close(): Promise<void>;
}

export interface SeededProject {
  workspace: { id: string; slug: string };
  id: string;
  slug: string;
  productionId: string;
  previewId: string;
}

/** Real PostgreSQL (a database of its own) and Redis (a prefix of its own), the engine's workers, the gateway, and the instant Krane over gRPC. */
export async function startRoutingBed(options: { concurrency?: number; poolSize?: number; settings?: Partial<Settings> } = {}): Promise<RoutingBed> {
  const testDb = await createTestDatabase();
  // A larger pool than the test database's own: many lanes and workers run transactions at once.
  const pool = openPostgres(testDb.url, options.poolSize ?? 16);
  const db: TestDatabase = {
    ...pool,
    url: testDb.url,
    name: testDb.name,
    async drop() {
      await pool.close();
      await testDb.drop();
    },
  };
  const redisInfo = testRedis();
  const redis: RedisConnection = redisInfo.connect();
  const config = loadConfig({ QUEUE_PREFIX: `{${redisInfo.prefix}}`, REDIS_URL: redisInfo.url, DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  const ctx: AppContext = { config, db, prisma: db.prisma, redis, logger: silentLogger };
  const krane = await startInstantKrane();
  const engine = createDeployflowEngine(ctx, krane.client, { ...FAST_ENGINE_SETTINGS, ...options.settings }, redisInfo.url);
  engine.startWorkers({ concurrency: options.concurrency ?? 16 });
  const gateway = await startGatewayService({ redisUrl: redisInfo.url, prefix: config.QUEUE_PREFIX, prisma: db.prisma, port: 0, resyncMs: 5_000 });
  const bed: RoutingBed = {
    ctx,
    db,
    engine,
    gateway,
    krane,
    apex: config.APEX_DOMAIN,
    async seedWorkspace(slug) {
      return db.prisma.workspace.create({ data: { id: newId('ws'), slug, name: slug }, select: { id: true, slug: true } });
    },
    async seedProject(workspace, projectSlug) {
      const project = await db.prisma.project.create({ data: { id: newId('prj'), workspaceId: workspace.id, slug: projectSlug, name: projectSlug } });
      const production = await db.prisma.environment.create({ data: { id: newId('env'), projectId: project.id, slug: 'production', isProduction: true } });
      const preview = await db.prisma.environment.create({ data: { id: newId('env'), projectId: project.id, slug: 'preview', isProduction: false } });
      return { workspace, id: project.id, slug: projectSlug, productionId: production.id, previewId: preview.id };
    },
    async waitForOperation(operationId, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const op = await db.prisma.operation.findUniqueOrThrow({ where: { id: operationId }, select: { id: true, kind: true, state: true, errorCode: true } });
        if (op.state !== 'queued' && op.state !== 'running') return op;
        if (Date.now() > deadline) throw new Error(`operation ${operationId} (${op.kind}) still ${op.state} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 40));
      }
    },
    async close() {
      await gateway.close();
      await engine.close();
      await krane.stop();
      await redis.quit();
      await db.drop();
    },
  };
  return bed;
}
