import { requestSwitch } from '../../src/operations/request-switch';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

describe('a fencing counter in Redis behind the database (Redis lost its last writes)', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('costs one retry, not the operation', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const v1 = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspace.id);
    await h.waitForOperation(v1.operationId);
    const v2 = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspace.id);
    await h.waitForOperation(v2.operationId);
    await h.db.prisma.project.update({ where: { id: project.id }, data: { routingFence: 1_000 } });

    const op = await requestSwitch({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, { workspaceId: workspace.id, requestedBy: 'test' }, {
      kind: 'rollback',
      projectId: 'shop',
      targetDeploymentId: v1.deploymentId,
    });
    expect((await h.waitForOperation(op.operationId)).state).toBe('succeeded');
    const step = await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: op.operationId, name: 'switch-routes' } } });
    expect(step.attempts).toBe(2);
    const p = await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } });
    expect(p.liveDeploymentId).toBe(v1.deploymentId);
    expect(p.routingFence).toBeGreaterThan(1_000);
  });
});
