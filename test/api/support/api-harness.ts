import type { RedisConnection } from '../../../src/redis/connection';
import { createApiApp } from '../../../src/api/app';
import { createOperationWatcher } from '../../../src/app/operation-watcher';
import type { ApiApp } from '../../../src/api/types';
import { createApiKey, ensureRootKey } from '../../../src/auth/api-key';
import type { Role } from '../../../src/auth/auth-context';
import { loadConfig } from '../../../src/config';
import type { ControlPlaneContext } from '../../../src/context';
import { newId } from '../../../src/ids';
import type { KraneDriver } from '../../../src/krane/driver';
import { Logger, silentLogger } from '../../../src/logger';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { EngineHarness, EngineHarnessOptions, startEngineHarness } from '../../support/engine-harness';
import { testRedis } from '../../support/test-redis';
import { createIdleEngine } from './idle-engine';
import type { EngineQueues } from '../../../src/engine/queues';

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** Sent as is, instead of JSON.stringify(body). */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

export interface WorkspaceKeys {
  workspaceId: string;
  slug: string;
  admin: string;
  deployer: string;
  viewer: string;
}

/** A real API over a fresh PostgreSQL database and the shared test Redis, driven through app.request (no sockets). */
export interface ApiHarness {
  app: ApiApp;
  ctx: ControlPlaneContext;
  /** The engine's queues (the dashboard shows them). */
  queues: EngineQueues;
  db: TestDatabase;
  redis: RedisConnection;
  rootKey: string;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  /** A workspace made directly in the database, with one key of each role. */
  workspace(slug?: string): Promise<WorkspaceKeys>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * `env`: extra configuration variables (e.g. KRANE_DRIVER), as the process environment would give them.
 * `logger`: where the app logs (default: nowhere). `db`: a database another harness made (two API apps on one database).
 */
export async function startApiHarness(options: { env?: Record<string, string>; logger?: Logger; db?: TestDatabase } = {}): Promise<ApiHarness> {
  const sharedDb = options.db;
  const db = sharedDb ?? (await createTestDatabase());
  const testRedisInfo = testRedis();
  const redis = testRedisInfo.connect();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', QUEUE_PREFIX: `{${testRedisInfo.prefix}}`, REDIS_URL: testRedisInfo.url, ...options.env });
  const base = { config, db, prisma: db.prisma, redis, logger: options.logger ?? silentLogger };
  const idle = createIdleEngine(base);
  const watcher = createOperationWatcher(base);
  const ctx: ControlPlaneContext = { ...base, operations: idle.producer, watcher };
  return buildHarness(ctx, idle.context.queues, db, async () => {
    await watcher.close();
    await idle.close();
    redis.disconnect();
    if (!sharedDb) await db.drop();
  });
}

/**
 * The API over the engine harness: real workers, embedded Krane, real deploys of `file:examples/hello-api`.
 * `engine` is the engine harness (gateway, Krane, waitForOperation).
 */
export async function startApiHarnessWithEngine(options: EngineHarnessOptions = {}): Promise<ApiHarness & { engine: EngineHarness }> {
  return apiHarnessOver(await startEngineHarness(options));
}

/** The API over an engine harness already started (e.g. one whose Krane runs a driver of the test's own). */
export async function apiHarnessOver<D extends KraneDriver>(engine: EngineHarness<D>): Promise<ApiHarness & { engine: EngineHarness<D> }> {
  const ctx: ControlPlaneContext = { ...engine.ctx, operations: engine.engine.producer, watcher: engine.watcher };
  const harness = await buildHarness(ctx, engine.engine.deps.queues, engine.db, () => engine.close());
  return { ...harness, engine };
}

async function buildHarness(ctx: ControlPlaneContext, queues: EngineQueues, db: TestDatabase, close: () => Promise<void>): Promise<ApiHarness> {
  const app = createApiApp(ctx);
  const root = await ensureRootKey(db.prisma);
  // A second app on a database another harness made finds its root key there: it gets a root key of its own.
  const rootKey = root.key ?? (await createApiKey(db.prisma, { workspaceId: null, role: 'admin', name: 'root of a second app' })).key;

  const call: ApiHarness['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    let body: string | Uint8Array | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers, body: body as RequestInit['body'] });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };

  const workspace: ApiHarness['workspace'] = async (slug) => {
    const s = slug ?? `ws-${process.pid}-${++counter}`;
    const ws = await db.prisma.workspace.create({ data: { id: newId('ws'), slug: s, name: s } });
    const make = async (role: Role) => (await createApiKey(db.prisma, { workspaceId: ws.id, role })).key;
    return { workspaceId: ws.id, slug: s, admin: await make('admin'), deployer: await make('deployer'), viewer: await make('viewer') };
  };

  return { app, ctx, queues, db, redis: ctx.redis, rootKey, call, workspace, close };
}

/** Every string value anywhere in the database's tables, for "no plaintext key is stored" checks. */
export async function everyStoredText(db: TestDatabase): Promise<string> {
  const tables = ['Workspace', 'ApiKey', 'Project', 'Environment', 'IdempotencyRecord', 'Operation'];
  const dumps: string[] = [];
  for (const table of tables) {
    const rows = await db.prisma.$queryRawUnsafe<unknown[]>(`SELECT row_to_json(t)::text AS row FROM "${table}" t`);
    for (const r of rows as { row: string }[]) dumps.push(r.row);
  }
  return dumps.join('\n');
}

export function errorFields(result: CallResult): string[] {
  return (result.body?.error?.details?.issues ?? []).map((i: { field: string }) => i.field);
}
