import { requestUndo } from '../../src/operations/request-switch';
import { eventually, getViaHost } from '../support/http-get';
import { GrpcTestBed, insertDeployment, startGrpcTestBed } from './grpc-test-bed';

describe('the whole scenario through gRPC', () => {
  let bed: GrpcTestBed;
  beforeAll(async () => {
    bed = await startGrpcTestBed();
  });
  afterAll(async () => bed.close());

  it('Deploy v1, v2 → Rollback to v1 → Deploy v3 (not live) → Promote v3 → undo: live v1 again, the gateway following each step', async () => {
    const prisma = bed.h.db.prisma;
    const gateway = await bed.h.startGateway();
    const client = bed.client(bed.keys.deployer);
    const project = () => prisma.project.findUniqueOrThrow({ where: { id: bed.seeded.project.id } });
    const serves = (host: string, version: string) =>
      eventually(async () => {
        const r = await getViaHost(gateway.port, host);
        if (r.status !== 200 || r.json().version !== version) throw new Error(`${host}: ${r.status} ${r.body}`);
      });
    const live = 'shop-acme.deploy.localhost';
    const env = 'shop-production-acme.deploy.localhost';

    // gRPC Deploy starts the flow of an existing pending deployment and returns once enqueued.
    const deploy = async (version: string) => {
      const pending = await insertDeployment(prisma, { projectId: bed.seeded.project.id, environmentId: bed.seeded.production.id, status: 'pending' });
      await prisma.deployment.update({ where: { id: pending.id }, data: { envVars: { VERSION: version }, gitBranch: 'main' } });
      await client.deploy({ deploymentId: pending.id });
      const op = await prisma.operation.findFirstOrThrow({ where: { deploymentId: pending.id, kind: 'deploy' } });
      expect((await bed.h.waitForOperation(op.id)).state).toBe('succeeded');
      return pending.id;
    };

    const v1 = await deploy('v1');
    const v2 = await deploy('v2');
    expect((await project()).liveDeploymentId).toBe(v2);
    await serves(live, 'v2');

    await client.rollback({ sourceDeploymentId: v2, targetDeploymentId: v1 });
    expect(await project()).toMatchObject({ liveDeploymentId: v1, isRolledBack: true, rolledBackFromDeploymentId: v2 });
    await serves(live, 'v1');
    await serves(env, 'v1');

    const v3 = await deploy('v3');
    expect((await prisma.deployment.findUniqueOrThrow({ where: { id: v3 } })).status).toBe('ready');
    expect((await project()).liveDeploymentId).toBe(v1);
    const v3Own = await prisma.ingressRoute.findFirstOrThrow({ where: { deploymentId: v3, sticky: 'deployment' } });
    await serves(v3Own.hostname, 'v3');
    await serves(live, 'v1');

    await client.promote({ targetDeploymentId: v3 });
    expect(await project()).toMatchObject({ liveDeploymentId: v3, isRolledBack: false });
    await serves(live, 'v3');

    // There is no undo RPC in hydra.v1: undo is the HTTP route's operation, run through the same routing queue.
    const undo = await requestUndo({ prisma, enqueue: bed.h.engine.enqueue }, { workspaceId: bed.seeded.workspace.id, requestedBy: 'test' }, 'shop');
    expect((await bed.h.waitForOperation(undo.operationId)).state).toBe('succeeded');
    expect(await project()).toMatchObject({ liveDeploymentId: v1, isRolledBack: true });
    await serves(live, 'v1');
  });
});
