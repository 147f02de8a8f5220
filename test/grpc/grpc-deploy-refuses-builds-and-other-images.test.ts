import { Status } from 'nice-grpc';
import { HELLO_API } from '../support/engine-harness';
import { expectStatus, GrpcTestBed, insertDeployment, startGrpcTestBed } from './grpc-test-bed';

describe('gRPC Deploy deploys the image the deployment was created with, and builds nothing', () => {
  let bed: GrpcTestBed;
  let pendingId: string;
  beforeAll(async () => {
    bed = await startGrpcTestBed({ workers: false });
    const { project, production } = bed.seeded;
    pendingId = (await insertDeployment(bed.h.db.prisma, { projectId: project.id, environmentId: production.id, status: 'pending', image: HELLO_API })).id;
  });
  afterAll(async () => bed.close());

  const operations = () => bed.h.db.prisma.operation.count();

  it('answers INVALID_ARGUMENT when docker_image differs from the deployment image', async () => {
    await expectStatus(
      bed.client(bed.keys.deployer).deploy({ deploymentId: pendingId, dockerImage: 'registry.example/shop:v2' }),
      Status.INVALID_ARGUMENT,
      /docker_image: .*created with image file:examples\/hello-api, not registry\.example\/shop:v2/,
    );
    expect(await operations()).toBe(0);
  });

  it('answers UNIMPLEMENTED for build_context_path or dockerfile_path: images are prebuilt', async () => {
    const client = bed.client(bed.keys.deployer);
    await expectStatus(client.deploy({ deploymentId: pendingId, buildContextPath: '.' }), Status.UNIMPLEMENTED, /does not build images/);
    await expectStatus(client.deploy({ deploymentId: pendingId, dockerfilePath: 'Dockerfile' }), Status.UNIMPLEMENTED, /does not build images/);
    expect(await operations()).toBe(0);
  });

  it('answers UNIMPLEMENTED for key_auth_id rather than silently leaving the app unprotected', async () => {
    await expectStatus(bed.client(bed.keys.deployer).deploy({ deploymentId: pendingId, keyAuthId: 'ks_123' }), Status.UNIMPLEMENTED, /key_auth_id is not supported/);
    expect(await operations()).toBe(0);
  });

  it('treats empty optional fields as absent (clients that cannot leave them unset)', async () => {
    await bed.client(bed.keys.deployer).deploy({ deploymentId: pendingId, keyAuthId: '', buildContextPath: '', dockerfilePath: '', dockerImage: '' });
    expect(await operations()).toBe(1);
  });

  it('answers FAILED_PRECONDITION for a deployment that is not pending and was never started', async () => {
    const { project, production } = bed.seeded;
    const failed = await insertDeployment(bed.h.db.prisma, { projectId: project.id, environmentId: production.id, status: 'failed' });
    await expectStatus(bed.client(bed.keys.deployer).deploy({ deploymentId: failed.id }), Status.FAILED_PRECONDITION, new RegExp(`${failed.id} is failed, not pending`));
  });
});
