import { credentials, Client as GrpcJsClient, Metadata as GrpcJsMetadata, ServiceError } from '@grpc/grpc-js';
import { Metadata, Status } from 'nice-grpc';
import { RollbackRequest, RollbackResponse } from '../../src/generated/proto/hydra/v1/deployment';
import { createHydraClient } from '../../src/grpc/client';
import { OPERATION_ID_HEADER } from '../../src/grpc/deployment-service';
import { startGrpcServer } from '../../src/grpc/server';
import { expectStatus, GrpcTestBed, insertDeployment, startGrpcTestBed } from './grpc-test-bed';

/**
 * No workers run here: a rollback is accepted and enqueued but never switches, so every call outlasts its wait.
 * The caller must learn which operation goes on, whether the wait ended by its own deadline, the server's default or a stop.
 */
describe('a Rollback that outlasts its wait answers with the operation id', () => {
  let bed: GrpcTestBed;
  let v1: string;
  let v2: string;
  beforeAll(async () => {
    bed = await startGrpcTestBed({ workers: false, server: { defaultWaitMs: 300 } });
    const { project, production } = bed.seeded;
    v1 = (await insertDeployment(bed.h.db.prisma, { projectId: project.id, environmentId: production.id, status: 'ready' })).id;
    v2 = (await insertDeployment(bed.h.db.prisma, { projectId: project.id, environmentId: production.id, status: 'ready' })).id;
    await bed.h.db.prisma.project.update({ where: { id: project.id }, data: { liveDeploymentId: v2 } });
  });
  afterAll(async () => bed.close());

  const operationOf = (details: string) => /op_[0-9a-z]{26}/.exec(details)?.[0];

  it("answers DEADLINE_EXCEEDED before the client's own deadline (sent as grpc-timeout by any gRPC client)", async () => {
    // A plain grpc-js client, as a client generated from the seed's proto in any language would call.
    const raw = new GrpcJsClient(bed.server.url.replace('http://', ''), credentials.createInsecure());
    const metadata = new GrpcJsMetadata();
    metadata.set('authorization', `Bearer ${bed.keys.deployer}`);
    // A client may not smuggle in a deadline of its own choosing through the internal metadata key.
    metadata.set('deployflow-call-deadline', String(Date.now() + 3_600_000));
    const error = await new Promise<ServiceError>((resolve, reject) =>
      raw.makeUnaryRequest(
        '/hydra.v1.DeploymentService/Rollback',
        (m: RollbackRequest) => Buffer.from(RollbackRequest.encode(m).finish()),
        (b: Buffer) => RollbackResponse.decode(b),
        { sourceDeploymentId: v2, targetDeploymentId: v1 },
        metadata,
        { deadline: Date.now() + 4_000 },
        (err) => (err ? resolve(err) : reject(new Error('expected the rollback to outlast its deadline'))),
      ),
    );
    raw.close();
    expect(Status[error.code]).toBe('DEADLINE_EXCEEDED');
    // The server's answer, not the transport's bare "Deadline exceeded": it names the operation that goes on.
    expect(error.details).toMatch(/^rollback op_[0-9a-z]{26} is still queued; it goes on: follow it with GET \/v1\/operations\/op_/);
    const op = await bed.h.db.prisma.operation.findUniqueOrThrow({ where: { id: operationOf(error.details)! } });
    expect(op).toMatchObject({ kind: 'rollback', state: 'queued', deploymentId: v1 });
  });

  it('without a client deadline waits the default, and sends the operation id as a response header at once', async () => {
    let header: string | undefined;
    const err = await expectStatus(
      bed.client(bed.keys.deployer).rollback(
        { sourceDeploymentId: v2, targetDeploymentId: v1 },
        { onHeader: (h: Metadata) => (header = h.get(OPERATION_ID_HEADER)) },
      ),
      Status.DEADLINE_EXCEEDED,
      /^rollback op_[0-9a-z]{26} is still queued/,
    );
    expect(header).toBe(operationOf(err.details));
  });

  it('a stopping server answers waiting calls UNAVAILABLE with the operation id', async () => {
    const server = await startGrpcServer({ ...bed.h.ctx, operations: bed.h.engine.producer, watcher: bed.h.watcher }, { port: 0 });
    const client = createHydraClient(server.url, bed.keys.deployer);
    let enqueued!: () => void;
    const headerSeen = new Promise<void>((resolve) => (enqueued = resolve));
    const call = client.promote({ targetDeploymentId: v1 }, { onHeader: () => enqueued() });
    await headerSeen;
    const stopped = server.stop();
    await expectStatus(call, Status.UNAVAILABLE, /^the server is shutting down; promote op_[0-9a-z]{26} is still queued and goes on/);
    await stopped;
    client.close();
  });
});
