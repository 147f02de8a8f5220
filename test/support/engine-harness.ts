import path from 'node:path';
import type { RedisConnection } from '../../src/redis/connection';
import { loadConfig } from '../../src/config';
import type { AppContext } from '../../src/context';
import type { Settings } from '../../src/app/settings';
import { createDeployflowEngine, DeployflowEngine } from '../../src/app/deployflow-engine';
import { createOperationWatcher } from '../../src/app/operation-watcher';
import type { StateEvents } from '../../src/engine/state-events';
import type { OperationWatcher } from '../../src/events/operation-watcher';
import { GatewayService, startGatewayService } from '../../src/gateway';
import type { KraneDriver } from '../../src/krane/driver';
import type { ProcessDriver } from '../../src/krane/drivers/process-driver';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { Logger, silentLogger } from '../../src/logger';
import { createDeployflowMetrics } from '../../src/metrics/deployflow-metrics';
import { createDeploy } from '../../src/operations/create-deploy';
import { DeployRequest, DeployRequestInput } from '../../src/operations/deploy-request';
import { createTestDatabase, TestDatabase } from './test-database';
import { testRedis } from './test-redis';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const HELLO_API = 'file:examples/hello-api';

/** Fast engine settings for tests: short polls, short deadlines, quick retries. */
export const TEST_ENGINE_SETTINGS: Partial<Settings> = {
  pollIntervalMs: 100,
  pollDeadlineMs: 15_000,
  backoffMs: 50,
  stepAttempts: 3,
  instanceHttpTimeoutMs: 2_000,
};

export interface EngineHarness<D extends KraneDriver = ProcessDriver> {
  ctx: AppContext;
  db: TestDatabase;
  redis: RedisConnection;
  redisUrl: string;
  prefix: string;
  krane: EmbeddedKrane<D>;
  engine: DeployflowEngine;
  /** The process's watcher of state events (what `?wait`, gRPC waits and event streams use); closed by `close()`. */
  watcher: OperationWatcher;
  /** Started on demand by `startGateway()`. */
  gateway?: GatewayService;
  startGateway(): Promise<GatewayService>;
  deploy(input: Omit<DeployRequestInput, 'projectId'> & { projectId: string }, workspaceId: string): Promise<{ deploymentId: string; operationId: string }>;
  /** Polls the operation row until it is finished (bounded), and returns it. */
  waitForOperation(operationId: string, timeoutMs?: number): Promise<{ state: string; errorCode: string | null; errorMessage: string | null }>;
  close(): Promise<void>;
}

export interface EngineHarnessOptions {
  settings?: Partial<Settings>;
  workers?: boolean;
  env?: Record<string, string>;
  /** Where the engine (and an API over this harness) logs; default nowhere. */
  logger?: Logger;
  /** Where the engine announces state changes; by default on the harness's Redis. */
  events?: StateEvents;
  /** Another Redis than the shared test server (e.g. `redis+cluster://…` of a cluster the test started). */
  redisUrl?: string;
}

/**
 * Real PostgreSQL database, real Redis prefix, embedded Krane over gRPC, and the engine with workers in this process.
 * The Krane runs the process driver, or `kraneDriver` when given (e.g. a docker driver).
 */
export async function startEngineHarness(options?: EngineHarnessOptions): Promise<EngineHarness>;
export async function startEngineHarness<D extends KraneDriver>(options: EngineHarnessOptions & { kraneDriver: D }): Promise<EngineHarness<D>>;
export async function startEngineHarness(options: EngineHarnessOptions & { kraneDriver?: KraneDriver } = {}): Promise<EngineHarness<KraneDriver>> {
  const db = await createTestDatabase();
  const redisInfo = testRedis(options.redisUrl);
  const redis = redisInfo.connect();
  const config = loadConfig({ QUEUE_PREFIX: `{${redisInfo.prefix}}`, REDIS_URL: redisInfo.url, DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...options.env });
  // The process's metrics, as `npm start` builds them: the engine reports to them, an API over this harness renders them.
  const ctx: AppContext = { config, db, prisma: db.prisma, redis, logger: options.logger ?? silentLogger, events: options.events, metrics: createDeployflowMetrics() };
  const krane: EmbeddedKrane<KraneDriver> = options.kraneDriver
    ? await startEmbeddedKrane({ driver: options.kraneDriver })
    : await startEmbeddedKrane({ rootDir: REPO_ROOT, gracePeriodMs: 2_000, healthIntervalMs: 50 });
  const engine = createDeployflowEngine(ctx, krane.client, { ...TEST_ENGINE_SETTINGS, ...options.settings }, redisInfo.url);
  if (options.workers !== false) engine.startWorkers({ concurrency: 5 });
  const harness: EngineHarness<KraneDriver> = {
    ctx,
    db,
    redis,
    redisUrl: redisInfo.url,
    prefix: config.QUEUE_PREFIX,
    krane,
    engine,
    watcher: createOperationWatcher(ctx),
    async startGateway() {
      harness.gateway ??= await startGatewayService({ redisUrl: redisInfo.url, prefix: config.QUEUE_PREFIX, prisma: db.prisma, port: 0, resyncMs: 1_000 });
      return harness.gateway;
    },
    async deploy(input, workspaceId) {
      return createDeploy({ prisma: db.prisma, sql: db.sql, enqueue: engine.enqueue }, { workspaceId, requestedBy: 'test' }, DeployRequest.parse(input));
    },
    async waitForOperation(operationId, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const op = await db.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
        if (!['queued', 'running'].includes(op.state)) return op;
        if (Date.now() > deadline) {
          // Say where it is stuck: a slow machine and a lost wake-up look alike from the outside.
          const steps = await db.prisma.deploymentStep.findMany({ where: { operationId }, orderBy: { position: 'asc' } });
          const timeline = steps.map((s) => `${s.name}=${s.status}${s.output ? ` (${s.output})` : ''}`).join(', ');
          throw new Error(`operation ${operationId} still ${op.state} after ${timeoutMs} ms: ${timeline}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await harness.gateway?.close();
      await harness.watcher.close();
      await engine.close();
      await krane.stop();
      await redis.quit();
      await db.drop();
    },
  };
  return harness;
}
