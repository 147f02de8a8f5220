import { ClientError, Status } from 'nice-grpc';
import { createApiKey, revokeApiKey } from '../../src/auth/api-key';
import type { Db } from '../../src/db/prisma';
import type { DeploymentStatus } from '../../src/generated/prisma/enums';
import { createHydraClient, HydraClient } from '../../src/grpc/client';
import { GrpcServerOptions, RunningGrpcServer, startGrpcServer } from '../../src/grpc/server';
import { newId } from '../../src/ids';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

export interface GrpcTestBed {
  h: EngineHarness;
  server: RunningGrpcServer;
  seeded: Awaited<ReturnType<typeof seedProject>>;
  keys: { admin: string; deployer: string; viewer: string; root: string; revoked: string; deployerId: string };
  /** A client with that key (none: no authorization metadata); closed by close(). */
  client(apiKey?: string): HydraClient;
  close(): Promise<void>;
}

/**
 * The real gRPC server on loopback in front of real PostgreSQL and Redis, with one seeded workspace/project and a key
 * of every kind. `workers: false` leaves operations queued (nothing runs them): for calls that must fail before any flow runs.
 */
export async function startGrpcTestBed(options: { workers?: boolean; server?: Partial<GrpcServerOptions>; workspace?: string } = {}): Promise<GrpcTestBed> {
  const h = await startEngineHarness({ workers: options.workers });
  const prisma = h.db.prisma;
  const seeded = await seedProject(prisma, { workspace: options.workspace ?? 'acme', project: 'shop' });
  const workspaceId = seeded.workspace.id;
  const admin = await createApiKey(prisma, { workspaceId, role: 'admin' });
  const deployer = await createApiKey(prisma, { workspaceId, role: 'deployer' });
  const viewer = await createApiKey(prisma, { workspaceId, role: 'viewer' });
  const root = await createApiKey(prisma, { workspaceId: null, role: 'admin' });
  const revoked = await createApiKey(prisma, { workspaceId, role: 'admin' });
  await revokeApiKey(prisma, revoked.record.id);
  const server = await startGrpcServer({ ...h.ctx, operations: h.engine.producer, watcher: h.watcher }, { port: 0, ...options.server });
  const clients: HydraClient[] = [];
  return {
    h,
    server,
    seeded,
    keys: { admin: admin.key, deployer: deployer.key, viewer: viewer.key, root: root.key, revoked: revoked.key, deployerId: deployer.record.id },
    client(apiKey) {
      const client = createHydraClient(server.url, apiKey);
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients) c.close();
      await server.stop();
      await h.close();
    },
  };
}

/** A deployment row written straight to the database, in whatever status a test needs. */
export async function insertDeployment(prisma: Db, input: { projectId: string; environmentId: string; status: DeploymentStatus; image?: string }) {
  return prisma.deployment.create({
    data: { id: newId('dep'), projectId: input.projectId, environmentId: input.environmentId, status: input.status, image: input.image ?? HELLO_API },
  });
}

/** The ClientError a call failed with; fails the test when the call succeeded or failed otherwise. */
export async function grpcFailure(call: Promise<unknown>): Promise<ClientError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ClientError) return err;
    throw err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export async function expectStatus(call: Promise<unknown>, code: Status, details?: RegExp | string): Promise<ClientError> {
  const err = await grpcFailure(call);
  expect(Status[err.code]).toBe(Status[code]);
  if (details !== undefined) expect(err.details).toMatch(details);
  return err;
}
