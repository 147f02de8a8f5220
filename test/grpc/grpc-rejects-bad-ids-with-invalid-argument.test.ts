import { Status } from 'nice-grpc';
import { expectStatus, GrpcTestBed, startGrpcTestBed } from './grpc-test-bed';

describe('gRPC answers INVALID_ARGUMENT, naming the field, for empty or malformed ids', () => {
  let bed: GrpcTestBed;
  beforeAll(async () => {
    bed = await startGrpcTestBed({ workers: false });
  });
  afterAll(async () => bed.close());

  const goodId = 'dep_0123456789abcdefghjkmnpqrs';
  const malformed = ['x', 'DEP_0123456789ABCDEFGHJKMNPQRS', 'prj_0123456789abcdefghjkmnpqrs', `${goodId} `, `${goodId}'; DROP TABLE "Deployment"; --`, 'dep_' + 'a'.repeat(10_000), 'dep_\u0000'];

  afterEach(async () => {
    expect(await bed.h.db.prisma.operation.count()).toBe(0);
  });

  it('Deploy: deployment_id', async () => {
    const client = bed.client(bed.keys.deployer);
    await expectStatus(client.deploy({ deploymentId: '' }), Status.INVALID_ARGUMENT, /deployment_id: is required/);
    for (const id of malformed) {
      await expectStatus(client.deploy({ deploymentId: id }), Status.INVALID_ARGUMENT, /^invalid request: deployment_id: must be a deployment id/);
    }
    await expectStatus(client.deploy({ deploymentId: goodId, dockerImage: 'x'.repeat(513) }), Status.INVALID_ARGUMENT, /docker_image: must be at most 512 characters/);
  });

  it('Rollback: target_deployment_id is required, source_deployment_id may be empty but not malformed', async () => {
    const client = bed.client(bed.keys.deployer);
    await expectStatus(client.rollback({ sourceDeploymentId: '', targetDeploymentId: '' }), Status.INVALID_ARGUMENT, /target_deployment_id: is required/);
    for (const id of malformed) {
      await expectStatus(client.rollback({ sourceDeploymentId: '', targetDeploymentId: id }), Status.INVALID_ARGUMENT, /target_deployment_id: must be a deployment id/);
      await expectStatus(client.rollback({ sourceDeploymentId: id, targetDeploymentId: goodId }), Status.INVALID_ARGUMENT, /source_deployment_id: must be empty or a deployment id/);
    }
    const both = await expectStatus(client.rollback({ sourceDeploymentId: 'nope', targetDeploymentId: 'nope' }), Status.INVALID_ARGUMENT);
    expect(both.details).toMatch(/source_deployment_id/);
    expect(both.details).toMatch(/target_deployment_id/);
  });

  it('Promote: target_deployment_id', async () => {
    const client = bed.client(bed.keys.deployer);
    await expectStatus(client.promote({ targetDeploymentId: '' }), Status.INVALID_ARGUMENT, /target_deployment_id: is required/);
    for (const id of malformed) {
      await expectStatus(client.promote({ targetDeploymentId: id }), Status.INVALID_ARGUMENT, /target_deployment_id: must be a deployment id/);
    }
  });
});
