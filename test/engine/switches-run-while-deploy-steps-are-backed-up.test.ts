import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { requestSwitch, requestUndo } from '../../src/operations/request-switch';
import { DeployStep } from '../../flows/step-names';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

/**
 * Issue 12: rollback, promote and undo never wait behind deploy work. Thousands of polling deploys keep the `steps`
 * queue full (BullMQ hands a queue's jobs out in order), so a switch's own steps must not be in that queue at all.
 * Here the `steps` queue is paused while deploys poll in it — the extreme of a backlog that never drains — and every
 * switch must still complete. On the engine that put `validate` and `check-instances` on `steps`, the rollback would
 * sit in that queue until the wait gives up.
 */
describe('switches run while the deploy steps queue is backed up', () => {
  let h: EngineHarness<InstantDriver>;
  beforeAll(async () => {
    // Instances run at once; a deploy with FAIL_HEALTH=1 polls for ever (until its deadline, far away here).
    h = await startEngineHarness({
      kraneDriver: new InstantDriver({ readiness: (spec) => (spec.env?.FAIL_HEALTH === '1' ? 'never-ready' : 'ready') }),
      settings: { pollDeadlineMs: 600_000 },
    });
  });
  afterAll(async () => {
    await h.engine.deps.queues.steps.resume();
    await h.close();
  });

  it('rollback, promote and undo complete while no deploy step can run', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const caller = { workspaceId: workspace.id, requestedBy: 'test' };
    const deps = { prisma: h.db.prisma, enqueue: h.engine.enqueue };
    const deploy = async (version: string, env: Record<string, string> = {}) =>
      h.deploy({ projectId: project.id, image: HELLO_API, git: { branch: 'main' }, runtime: { env: { VERSION: version, ...env } } }, workspace.id);
    const v1 = await deploy('v1');
    expect((await h.waitForOperation(v1.operationId)).state).toBe('succeeded');
    const v2 = await deploy('v2');
    expect((await h.waitForOperation(v2.operationId)).state).toBe('succeeded');

    // Deploys that poll in the steps queue, then the queue stops handing anything out.
    const { project: other } = await seedProject(h.db.prisma, { workspace: 'acme-pollers', project: 'pollers' });
    const pollers = await Promise.all([1, 2, 3, 4, 5].map((i) => h.deploy({ projectId: other.id, image: HELLO_API, runtime: { env: { FAIL_HEALTH: '1', N: String(i) } } }, other.workspaceId)));
    const polling = () => h.db.prisma.deploymentStep.count({ where: { name: DeployStep.pollInstances, status: 'running', ownerId: { in: pollers.map((p) => p.deploymentId) } } });
    for (let deadline = Date.now() + 30_000; (await polling()) < pollers.length; ) {
      if (Date.now() > deadline) throw new Error(`only ${await polling()} of ${pollers.length} deploys reached poll-instances`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await h.engine.deps.queues.steps.pause();

    const rollback = await requestSwitch(deps, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1.deploymentId });
    expect((await h.waitForOperation(rollback.operationId, 20_000)).state).toBe('succeeded');
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v1.deploymentId);

    const promote = await requestSwitch(deps, caller, { kind: 'promote', projectId: project.id, targetDeploymentId: v2.deploymentId });
    expect((await h.waitForOperation(promote.operationId, 20_000)).state).toBe('succeeded');
    const undo = await requestUndo(deps, caller, project.id);
    expect((await h.waitForOperation(undo.operationId, 20_000)).state).toBe('succeeded');
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v1.deploymentId);

    // The deploy work was held, not lost: still polling, and it goes on once the queue runs again.
    expect(await polling()).toBe(pollers.length);
    for (const p of pollers) expect((await h.db.prisma.operation.findUniqueOrThrow({ where: { id: p.operationId } })).state).toBe('running');
  });
});
