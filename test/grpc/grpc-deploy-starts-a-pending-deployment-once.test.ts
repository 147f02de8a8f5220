import { HELLO_API } from '../support/engine-harness';
import { GrpcTestBed, insertDeployment, startGrpcTestBed } from './grpc-test-bed';

describe('gRPC Deploy starts the flow of an existing pending deployment, once', () => {
  let bed: GrpcTestBed;
  beforeAll(async () => {
    bed = await startGrpcTestBed();
  });
  afterAll(async () => bed.close());

  it('enqueues the deploy, which reaches ready; a second Deploy starts nothing new', async () => {
    const prisma = bed.h.db.prisma;
    const { project, production } = bed.seeded;
    const deployment = await insertDeployment(prisma, { projectId: project.id, environmentId: production.id, status: 'pending', image: HELLO_API });
    const client = bed.client(bed.keys.deployer);

    // docker_image naming the deployment's own image is accepted.
    await client.deploy({ deploymentId: deployment.id, dockerImage: HELLO_API });
    const ops = await prisma.operation.findMany({ where: { deploymentId: deployment.id } });
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ kind: 'deploy', requestedBy: `grpc:${bed.keys.deployerId}` });

    const op = await bed.h.waitForOperation(ops[0].id);
    expect(op).toMatchObject({ state: 'succeeded', errorCode: null });
    const ready = await prisma.deployment.findUniqueOrThrow({ where: { id: deployment.id } });
    expect(ready.status).toBe('ready');
    expect((await prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(deployment.id);

    await client.deploy({ deploymentId: deployment.id });
    await bed.client(bed.keys.admin).deploy({ deploymentId: deployment.id });
    const after = await prisma.operation.findMany({ where: { deploymentId: deployment.id } });
    expect(after.map((o) => [o.id, o.state])).toEqual([[ops[0].id, 'succeeded']]);
    expect((await prisma.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).status).toBe('ready');
  });

  it('Deploy calls racing for one pending deployment (over separate connections) start one operation', async () => {
    const prisma = bed.h.db.prisma;
    const { project, production } = bed.seeded;
    const deployment = await insertDeployment(prisma, { projectId: project.id, environmentId: production.id, status: 'pending' });
    const clients = Array.from({ length: 8 }, () => bed.client(bed.keys.deployer));
    await Promise.all(clients.map((c) => c.deploy({ deploymentId: deployment.id })));
    const ops = await prisma.operation.findMany({ where: { deploymentId: deployment.id } });
    expect(ops).toHaveLength(1);
    expect((await bed.h.waitForOperation(ops[0].id)).state).toBe('succeeded');
  });
});
