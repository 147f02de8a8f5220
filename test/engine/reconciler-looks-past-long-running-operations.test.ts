import { reconcileOnce } from '../../src/app/reconciler';
import { newId } from '../../src/ids';
import { seedProject } from '../support/seed';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';

describe('the reconciler with many long-running operations', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness({ workers: false });
  });
  afterAll(async () => h.close());

  it('still finds a lost flow behind 150 older operations whose flows are alive', async () => {
    const { project } = await seedProject(h.db.prisma);
    const old = new Date(Date.now() - 60_000);
    const alive: string[] = [];
    for (let i = 0; i < 150; i++) alive.push(newId('op'));
    await h.db.prisma.operation.createMany({ data: alive.map((id) => ({ id, kind: 'promote' as const, projectId: project.id, state: 'running' as const, requestedBy: 'test', createdAt: old })) });
    // Their root jobs exist (no worker runs them here): long-running, not lost.
    await h.engine.deps.queues.operations.addBulk(alive.map((id) => ({ name: 'promote', data: {}, opts: { jobId: id } })));
    const lost = newId('op');
    await h.db.prisma.operation.create({ data: { id: lost, kind: 'undo', projectId: project.id, requestedBy: 'test', createdAt: old } });

    const report = await reconcileOnce(h.engine.deps);
    expect(report.reenqueued).toEqual([lost]);
  });
});
