import { ConflictError } from '../../src/errors';
import { cancelDeployment } from '../../src/operations/cancel-deployment';
import { eventually } from '../support/http-get';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

describe('cancelling a deploy', () => {
  let h: EngineHarness;
  let workspaceId: string;
  beforeAll(async () => {
    h = await startEngineHarness();
    workspaceId = (await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' })).workspace.id;
  });
  afterAll(async () => h.close());
  const caller = () => ({ workspaceId, requestedBy: 'test' });

  it('while it polls: the next poll stops it, Krane deletes it, the deployment and operation end cancelled', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: HELLO_API, runtime: { env: { HEALTHY_AFTER_MS: '60000' } } }, workspaceId);
    await eventually(async () => {
      const step = await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: deploymentId, name: 'poll-instances' } } });
      if (step.status !== 'running') throw new Error('not polling yet');
    });
    const outcome = await cancelDeployment(h.db.prisma, caller(), deploymentId);
    expect(outcome).toMatchObject({ deploymentId, operationId, alreadyRequested: false });
    expect((await cancelDeployment(h.db.prisma, caller(), deploymentId)).alreadyRequested).toBe(true);

    const op = await h.waitForOperation(operationId);
    expect(op.state).toBe('cancelled');
    const d = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(d).toMatchObject({ status: 'cancelled', failedStep: null });
    const steps = await h.db.prisma.deploymentStep.findMany({ where: { ownerId: deploymentId }, orderBy: { position: 'asc' } });
    expect(steps.find((s) => s.name === 'poll-instances')!.status).toBe('cancelled');
    expect(steps.filter((s) => s.position > 3 && s.position < 100).every((s) => s.status === 'cancelled')).toBe(true);
    await eventually(async () => {
      if (!(await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).compensatedAt) throw new Error('not compensated');
    });
    expect(await h.krane.client.get('acme', deploymentId)).toEqual([]);
    expect(await h.db.prisma.ingressRoute.count({ where: { deploymentId } })).toBe(0);
  });

  it('once the deploy is finished: refused with a conflict that says why', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspaceId);
    expect((await h.waitForOperation(operationId)).state).toBe('succeeded');
    const attempt = cancelDeployment(h.db.prisma, caller(), deploymentId);
    await expect(attempt).rejects.toThrow(ConflictError);
    await expect(attempt).rejects.toThrow(/is already ready: nothing to cancel/);
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).cancelRequestedAt).toBeNull();
  });

  it('of another workspace: not found', async () => {
    const { deploymentId } = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspaceId);
    await expect(cancelDeployment(h.db.prisma, { workspaceId: 'ws_other', requestedBy: 'x' }, deploymentId)).rejects.toThrow(/not found/);
  });
});
