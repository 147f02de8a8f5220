import { Job, Queue } from 'bullmq';
import { reconcileOnce } from '../../src/app/reconciler';
import { operationJobId } from '../../src/engine/queue-names';
import { seedProject } from '../support/seed';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';

/**
 * The reconciler fails a deploy whose flow died (its root failed while the operation row still says running) with the
 * root job's data, which names no deployment: the deployment is its step rows' owner. Its status write must name it:
 * a compare-and-set "from any active status" with no id would fail every active deployment of every project.
 */
describe('reconciling a lost deploy', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('fails its own deployment and no other', async () => {
    const { workspace } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    await seedProject(h.db.prisma, { workspace: 'globex', project: 'other' });
    const lost = await h.deploy({ projectId: 'shop', image: 'file:examples/does-not-exist' }, workspace.id);
    expect((await h.waitForOperation(lost.operationId, 60_000)).state).toBe('failed');
    await eventuallyFailed(h.engine.deps.queues.operations, operationJobId(lost.operationId));
    // As if the failure had never been recorded (the database was down while the step failed for good) ...
    await h.db.prisma.operation.update({ where: { id: lost.operationId }, data: { state: 'running', errorCode: null, errorMessage: null, finishedAt: null, createdAt: new Date(Date.now() - 60_000) } });
    await h.db.prisma.deployment.update({ where: { id: lost.deploymentId }, data: { status: 'deploying' } });
    // ... while other deployments are active: one of the same project, one of another workspace's project.
    const own = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: lost.deploymentId } });
    const other = await h.db.prisma.project.findFirstOrThrow({ where: { slug: 'other' }, include: { environments: true } });
    const bystander = (id: string, projectId: string, environmentId: string, status: 'network' | 'building') =>
      h.db.prisma.deployment.create({ data: { id, projectId, environmentId, image: 'file:examples/hello-api', status } });
    await bystander('dep_bystander0', own.projectId, own.environmentId, 'network');
    await bystander('dep_bystander1', other.id, other.environments[0].id, 'building');

    const report = await reconcileOnce(h.engine.deps);
    expect(report.failedLostFlows).toContain(lost.operationId);
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: lost.deploymentId } })).status).toBe('failed');
    const after = await h.db.prisma.deployment.findMany({ where: { id: { in: ['dep_bystander0', 'dep_bystander1'] } }, orderBy: { id: 'asc' }, select: { id: true, status: true } });
    expect(after).toEqual([
      { id: 'dep_bystander0', status: 'network' },
      { id: 'dep_bystander1', status: 'building' },
    ]);
  }, 90_000);
});

async function eventuallyFailed(queue: Queue, jobId: string): Promise<Job> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const job = await queue.getJob(jobId);
    if (job && (await job.getState()) === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`${jobId} did not fail`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
