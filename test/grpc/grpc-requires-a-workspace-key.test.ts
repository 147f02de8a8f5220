import { Metadata, Status } from 'nice-grpc';
import { expectStatus, GrpcTestBed, insertDeployment, startGrpcTestBed } from './grpc-test-bed';

describe('gRPC calls need a workspace key of role deployer or admin', () => {
  let bed: GrpcTestBed;
  let pendingId: string;
  let readyId: string;
  beforeAll(async () => {
    bed = await startGrpcTestBed({ workers: false });
    const { project, production } = bed.seeded;
    pendingId = (await insertDeployment(bed.h.db.prisma, { projectId: project.id, environmentId: production.id, status: 'pending' })).id;
    readyId = (await insertDeployment(bed.h.db.prisma, { projectId: project.id, environmentId: production.id, status: 'ready' })).id;
  });
  afterAll(async () => bed.close());

  const operations = () => bed.h.db.prisma.operation.count();

  it('answers UNAUTHENTICATED without authorization metadata, and changes nothing', async () => {
    const client = bed.client();
    await expectStatus(client.deploy({ deploymentId: pendingId }), Status.UNAUTHENTICATED, /missing API key.*Bearer/);
    await expectStatus(client.rollback({ sourceDeploymentId: '', targetDeploymentId: readyId }), Status.UNAUTHENTICATED);
    await expectStatus(client.promote({ targetDeploymentId: readyId }), Status.UNAUTHENTICATED);
    expect(await operations()).toBe(0);
  });

  it('answers UNAUTHENTICATED for an unknown key and for metadata that is not a bearer token', async () => {
    await expectStatus(bed.client('df_not-a-key-we-issued').deploy({ deploymentId: pendingId }), Status.UNAUTHENTICATED, /invalid or revoked/);
    const client = bed.client();
    await expectStatus(
      client.deploy({ deploymentId: pendingId }, { metadata: Metadata({ authorization: `Basic ${bed.keys.admin}` }) }),
      Status.UNAUTHENTICATED,
      /Bearer/,
    );
    expect(await operations()).toBe(0);
  });

  it('answers UNAUTHENTICATED for a revoked key', async () => {
    await expectStatus(bed.client(bed.keys.revoked).deploy({ deploymentId: pendingId }), Status.UNAUTHENTICATED, /invalid or revoked/);
    expect(await operations()).toBe(0);
  });

  it('answers PERMISSION_DENIED for a viewer key, naming the roles that may call', async () => {
    const viewer = bed.client(bed.keys.viewer);
    await expectStatus(viewer.deploy({ deploymentId: pendingId }), Status.PERMISSION_DENIED, /viewer.*deployer or admin/);
    await expectStatus(viewer.promote({ targetDeploymentId: readyId }), Status.PERMISSION_DENIED, /deployer or admin/);
    expect(await operations()).toBe(0);
  });

  it('answers PERMISSION_DENIED for the root key: it manages workspaces only', async () => {
    const root = bed.client(bed.keys.root);
    await expectStatus(root.deploy({ deploymentId: pendingId }), Status.PERMISSION_DENIED, /root key.*workspace.*deployer or admin/);
    await expectStatus(root.rollback({ sourceDeploymentId: '', targetDeploymentId: readyId }), Status.PERMISSION_DENIED);
    expect(await operations()).toBe(0);
  });

  it('lets a deployer key through and records the call as grpc:<key id>', async () => {
    await bed.client(bed.keys.deployer).deploy({ deploymentId: pendingId });
    const op = await bed.h.db.prisma.operation.findFirstOrThrow({ where: { deploymentId: pendingId } });
    expect(op.requestedBy).toBe(`grpc:${bed.keys.deployerId}`);
  });
});
