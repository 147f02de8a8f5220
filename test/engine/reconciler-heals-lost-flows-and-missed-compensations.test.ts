import { Job } from 'bullmq';
import { reconcileOnce } from '../../src/app/reconciler';
import { newId } from '../../src/ids';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { eventually } from '../support/http-get';

describe('the reconciler', () => {
  let h: EngineHarness;
  let workspaceId: string;
  let projectId: string;
  let environmentId: string;
  beforeAll(async () => {
    h = await startEngineHarness();
    const seeded = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    workspaceId = seeded.workspace.id;
    projectId = seeded.project.id;
    environmentId = seeded.production.id;
  });
  afterAll(async () => h.close());

  it('enqueues the flow of an operation that was committed but never reached Redis, and it completes', async () => {
    const deploymentId = newId('dep');
    const operationId = newId('op');
    const old = new Date(Date.now() - 60_000);
    await h.db.prisma.deployment.create({ data: { id: deploymentId, projectId, environmentId, image: HELLO_API, createdAt: old } });
    await h.db.prisma.operation.create({ data: { id: operationId, kind: 'deploy', projectId, deploymentId, requestedBy: 'test', createdAt: old } });
    expect(await Job.fromId(h.engine.deps.queues.operations, operationId)).toBeUndefined();

    const report = await reconcileOnce(h.engine.deps);
    expect(report.reenqueued).toContain(operationId);
    expect((await h.waitForOperation(operationId)).state).toBe('succeeded');
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).status).toBe('ready');
  });

  it('leaves young operations alone (their flow may be about to be enqueued)', async () => {
    const operationId = newId('op');
    const deploymentId = newId('dep');
    await h.db.prisma.deployment.create({ data: { id: deploymentId, projectId, environmentId, image: HELLO_API } });
    await h.db.prisma.operation.create({ data: { id: operationId, kind: 'deploy', projectId, deploymentId, requestedBy: 'test' } });
    const report = await reconcileOnce(h.engine.deps);
    expect(report.reenqueued).not.toContain(operationId);
    await h.db.prisma.operation.update({ where: { id: operationId }, data: { state: 'cancelled' } });
  });

  it('deletes the Krane deployment of a failed deploy whose compensation never ran', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', environment: 'preview', image: HELLO_API }, workspaceId);
    await h.waitForOperation(operationId);
    // Simulate a crash right after the failure was recorded: failed, uncompensated, instances still running.
    await h.db.prisma.ingressRoute.deleteMany({ where: { deploymentId } });
    await h.db.prisma.deployment.update({ where: { id: deploymentId }, data: { status: 'failed', compensatedAt: null, updatedAt: new Date(Date.now() - 60_000) } });
    await h.engine.deps.queues.steps.remove(`${operationId}.compensate`).catch(() => undefined);
    expect((await h.krane.client.get('acme', deploymentId)).length).toBe(1);

    const report = await reconcileOnce(h.engine.deps);
    expect(report.compensations).toContain(deploymentId);
    await eventually(async () => {
      const d = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
      if (!d.compensatedAt) throw new Error('not compensated yet');
    });
    expect(await h.krane.client.get('acme', deploymentId)).toEqual([]);
  });

  it('creates again in Krane a routed deployment that Krane lost, so its routes keep serving', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspaceId);
    await h.waitForOperation(operationId);
    await h.krane.client.delete('acme', deploymentId);
    const report = await reconcileOnce(h.engine.deps);
    expect(report.recreatedInKrane).toContain(deploymentId);
    expect((await h.krane.client.get('acme', deploymentId)).length).toBe(1);
  });
});
