import { Job, Queue } from 'bullmq';
import { reconcileOnce } from '../../src/app/reconciler';
import { operationJobId, stepJobId } from '../../src/engine/queue-names';
import { DEPLOY_STEPS } from '../../flows/step-names';
import { seedProject } from '../support/seed';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';

/**
 * A deploy whose create-in-krane fails for good: the dashboard's failed root job says which step failed and with what
 * code and message, and no job of the chain carries a stack trace (the error is catalogued: the reason says it all).
 */
describe('a failed deploy on the dashboard', () => {
  let h: EngineHarness;
  let workspaceId: string;
  beforeAll(async () => {
    h = await startEngineHarness();
    workspaceId = (await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' })).workspace.id;
  });
  afterAll(async () => h.close());

  it("names the failing step and its error code on the root job's failedReason, with no stack trace on any job", async () => {
    const { operationId } = await h.deploy({ projectId: 'shop', image: 'file:examples/does-not-exist' }, workspaceId);
    const op = await h.waitForOperation(operationId, 60_000);
    expect(op.state).toBe('failed');
    const { queues } = h.engine.deps;

    // The operation row is marked failed while the step's job is still being moved to failed: wait for the move.
    const failing = await eventuallyFailed(queues.steps, stepJobId(operationId, 'create-in-krane'));
    const reason = failing.failedReason;
    expect(reason).toBe(`create-in-krane failed (${op.errorCode}): ${op.errorMessage?.replace(/^create-in-krane: /, '')}`);
    expect(reason).toMatch(/^create-in-krane failed \(krane_\w+\): .*does-not-exist/);

    // The failure reaches the root through every later step (each fails with the same reason, without running).
    const root = await eventuallyFailed(queues.operations, operationJobId(operationId));
    console.log(`root job ${root.name}: failedReason=${root.failedReason}; stacktrace=${JSON.stringify(root.stacktrace)}`);
    expect(root.failedReason).toBe(reason);
    expect(root.stacktrace).toEqual([]);
    for (const step of DEPLOY_STEPS.slice(DEPLOY_STEPS.indexOf('create-in-krane'))) {
      const queue = step === 'assign-routes' ? queues.routing : queues.steps;
      const job = await eventuallyFailed(queue, stepJobId(operationId, step));
      expect({ step, failedReason: job.failedReason, stacktrace: job.stacktrace }).toEqual({ step, failedReason: reason, stacktrace: [] });
    }
    const pollLog = (await queues.steps.getJobLogs(stepJobId(operationId, 'poll-instances'))).logs;
    expect(pollLog).toEqual([expect.stringMatching(/ not run: create-in-krane failed \(krane_\w+\)/)]);
  }, 90_000);

  it('has the reconciler resolve such a root as failed, never as an operation whose steps all succeeded', async () => {
    const { operationId, deploymentId } = await h.deploy({ projectId: 'shop', image: 'file:examples/does-not-exist' }, workspaceId);
    expect((await h.waitForOperation(operationId, 60_000)).state).toBe('failed');
    await eventuallyFailed(h.engine.deps.queues.operations, operationJobId(operationId));
    // As if the failure had never been recorded (the database was down while the step failed for good).
    await h.db.prisma.operation.update({ where: { id: operationId }, data: { state: 'running', errorCode: null, errorMessage: null, finishedAt: null, createdAt: new Date(Date.now() - 60_000) } });
    await h.db.prisma.deployment.update({ where: { id: deploymentId }, data: { status: 'deploying' } });

    const report = await reconcileOnce(h.engine.deps);
    expect(report.failedLostFlows).toContain(operationId);
    const op = await h.db.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
    expect(op.state).toBe('failed');
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).status).toBe('failed');
  }, 90_000);
});

/** The root fails a moment after the operation row: each job of the chain fails in turn, on a worker. */
async function eventuallyFailed(queue: Queue, id: string): Promise<Job> {
  for (const until = Date.now() + 15_000; ; ) {
    // State first, then the job: a job read before its move to failed would carry no failedReason.
    const state = await queue.getJobState(id);
    if (state === 'failed') return (await Job.fromId(queue, id))!;
    if (Date.now() > until) throw new Error(`job ${id} is ${state}, not failed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
