import { createHash } from 'node:crypto';
import http, { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisConnection } from '../../src/redis/connection';
import type { Db } from '../../src/db/prisma';
import { GatewayService, startGatewayService } from '../../src/gateway';
import { publishRouteChange, RouteAssignment } from '../../src/routing/publication/route-publication';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testRedis } from '../support/test-redis';

export const PROJECT_ID = 'p1';
const ENVIRONMENT_ID = 'env1';

/** A migrated database with one workspace/project/environment, a Redis prefix, and helpers to shape routes. */
export interface RoutingWorld {
  db: TestDatabase;
  prisma: Db;
  redis: RedisConnection;
  redisUrl: string;
  prefix: string;
  addDeployment(id: string): Promise<void>;
  addInstance(deploymentId: string, address: string, status?: 'running' | 'pending' | 'stopped' | 'failed'): Promise<void>;
  /** Creates or moves a route in the database only (no event). */
  setRoute(hostname: string, deploymentId: string): Promise<void>;
  removeRoute(hostname: string): Promise<void>;
  /** What the routing engine does after its commit; `sequence` is the RouteChange row's, when the test has one. */
  publish(routes: RouteAssignment[], sequence?: number): Promise<number>;
  startGateway(resyncMs: number): Promise<GatewayService>;
  close(): Promise<void>;
}

/** `redisUrl`: another Redis than the shared test server (e.g. a Redis Cluster's); the prefix then carries a hash tag. */
export async function openRoutingWorld(options: { redisUrl?: string } = {}): Promise<RoutingWorld> {
  const db = await createTestDatabase();
  const { prisma } = db;
  const { url: redisUrl, prefix: bare, connect } = testRedis(options.redisUrl);
  const prefix = options.redisUrl ? `{${bare}}` : bare;
  const redis = connect();
  const gateways: GatewayService[] = [];
  await prisma.workspace.create({ data: { id: 'ws1', slug: 'ws1', name: 'Workspace' } });
  await prisma.project.create({ data: { id: PROJECT_ID, workspaceId: 'ws1', slug: 'app', name: 'App' } });
  await prisma.environment.create({ data: { id: ENVIRONMENT_ID, projectId: PROJECT_ID, slug: 'production', isProduction: true } });
  let instanceSeq = 0;
  return {
    db,
    prisma,
    redis,
    redisUrl,
    prefix,
    async addDeployment(id) {
      await prisma.deployment.create({ data: { id, projectId: PROJECT_ID, environmentId: ENVIRONMENT_ID, image: `img/${id}` } });
    },
    async addInstance(deploymentId, address, status = 'running') {
      await prisma.instance.create({ data: { id: `i${++instanceSeq}`, deploymentId, address, status } });
    },
    async setRoute(hostname, deploymentId) {
      await prisma.ingressRoute.upsert({
        where: { hostname },
        create: { id: `r-${hostname}`, hostname, projectId: PROJECT_ID, environmentId: ENVIRONMENT_ID, deploymentId, sticky: 'live' },
        update: { deploymentId },
      });
    },
    async removeRoute(hostname) {
      await prisma.ingressRoute.delete({ where: { hostname } });
    },
    publish: (routes, sequence) => publishRouteChange(redis, prefix, { projectId: PROJECT_ID, sequence, routes }),
    async startGateway(resyncMs) {
      const gateway = await startGatewayService({ redisUrl, prefix, prisma, port: 0, resyncMs });
      gateways.push(gateway);
      return gateway;
    },
    async close() {
      await Promise.all(gateways.map((g) => g.close()));
      redis.disconnect();
      await db.drop();
    },
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
  bodySha256: string;
}

export interface Upstream {
  name: string;
  address: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback standing in for an app instance. By default it reads the whole body (counting
 * and hashing it) and answers with its name; `handler` replaces that.
 */
export async function startUpstream(name: string, handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const requests: SeenRequest[] = [];
  const server = http.createServer(
    handler ??
      ((req, res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        req.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          hash.update(chunk);
        });
        req.on('end', () => {
          requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes: bytes, bodySha256: hash.digest('hex') });
          res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
          res.end(name);
        });
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    address: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request to the gateway with the given Host header, on a fresh connection. */
export function send(
  port: number,
  host: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: { ...options.headers, host }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls `check` until it holds; fails with `what` after a generous bound (the bound is a safety net, not the assertion). */
export async function eventually(what: string, check: () => Promise<boolean>, boundMs = 15_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface BlueGreen {
  world: RoutingWorld;
  blue: Upstream;
  green: Upstream;
  close(): Promise<void>;
}

/** A routing world with two deployments, `blue` and `green`, each with one running instance that answers its name. */
export async function openBlueGreenWorld(options: { redisUrl?: string } = {}): Promise<BlueGreen> {
  const world = await openRoutingWorld(options);
  const [blue, green] = await Promise.all([startUpstream('blue'), startUpstream('green')]);
  for (const [id, upstream] of [['blue', blue], ['green', green]] as const) {
    await world.addDeployment(id);
    await world.addInstance(id, upstream.address);
  }
  return {
    world,
    blue,
    green,
    async close() {
      await world.close();
      await Promise.all([blue.close(), green.close()]);
    },
  };
}
