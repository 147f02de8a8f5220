import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { requestSwitch } from '../../src/operations/request-switch';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { twoReadyDeployments } from '../support/ready-deployments';
import { seedProject } from '../support/seed';
import { recordStatements } from '../support/statement-recorder';

/**
 * A switch request's reads are on its path to traffic, and they run on the process that also runs the switch's steps.
 * It reads the caller's project (by id or slug, with its workspace's slug: the Krane namespace) and the target with
 * its environment and records the operation (only where those rows pass the request's checks) in one statement: one
 * statement before the flow is added. Before, the read and then the operation's insert through Prisma: two; before
 * that, the project resolved through Prisma beside a raw read of the target: three.
 */
describe('a switch request', () => {
  let h: EngineHarness<InstantDriver>;
  const pg = recordStatements({ recording: false });
  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver() });
  });
  afterAll(async () => {
    pg.restore();
    await h.close();
  });

  it('reads its project and target in one statement, and judges them as before', async () => {
    const { project, caller, v1, v2 } = await twoReadyDeployments(h, 'acme');
    const flows = h.engine.deps.queues.flows;
    const add = flows.add.bind(flows);
    let before: string[] | undefined;
    flows.add = async (flow) => {
      before ??= pg.statements.slice();
      return add(flow);
    };
    try {
      pg.recording = true;
      // By slug, as an API caller may.
      const rollback = await requestSwitch({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, caller, { kind: 'rollback', projectId: project.slug, targetDeploymentId: v1 });
      pg.recording = false;
      expect((await h.waitForOperation(rollback.operationId)).state).toBe('succeeded');
    } finally {
      flows.add = add;
      pg.recording = false;
    }
    expect(before).toHaveLength(1);
    expect(before![0]).toMatch(/FROM "Project" p JOIN "Workspace" w .* LEFT JOIN "Deployment" d .* LEFT JOIN "Environment" e/);
    expect(before![0]).toMatch(/INSERT INTO "Operation"/);

    // Judged as before: another workspace's project and a missing one are not found; a target of another project or
    // none is not found in this one; a target not ready is refused; the live deployment is already live.
    const request = (input: { projectId: string; targetDeploymentId: string; kind?: 'rollback' | 'promote' }, who = caller) =>
      requestSwitch({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, who, { kind: input.kind ?? 'rollback', projectId: input.projectId, targetDeploymentId: input.targetDeploymentId });
    const other = await seedProject(h.db.prisma, { workspace: 'beta', project: 'api' });
    const foreign = await h.deploy({ projectId: other.project.id, image: HELLO_API }, other.workspace.id);
    expect((await h.waitForOperation(foreign.operationId)).state).toBe('succeeded');
    await expect(request({ projectId: other.project.id, targetDeploymentId: foreign.deploymentId })).rejects.toMatchObject({ code: 'not_found' });
    await expect(request({ projectId: 'prj_missing', targetDeploymentId: v2 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(request({ projectId: project.id, targetDeploymentId: foreign.deploymentId })).rejects.toMatchObject({ code: 'not_found' });
    await expect(request({ projectId: project.id, targetDeploymentId: 'dep_missing' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(request({ projectId: project.id, targetDeploymentId: v1 })).rejects.toMatchObject({ code: 'already_live' });
    await expect(
      requestSwitch({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v2, expectedSourceDeploymentId: v2 }),
    ).rejects.toMatchObject({ code: 'stale_source' });
    await h.db.prisma.deployment.update({ where: { id: v2 }, data: { status: 'building' } });
    await expect(request({ projectId: project.id, targetDeploymentId: v2, kind: 'promote' })).rejects.toMatchObject({ code: 'deployment_not_ready' });
    // A refused request records nothing: the one operation of the project's switches is the rollback above.
    expect(await h.db.prisma.operation.count({ where: { projectId: project.id, kind: { in: ['rollback', 'promote'] } } })).toBe(1);
  });
});
