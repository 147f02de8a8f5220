import { checkInstances } from '../../processors/check-instances';
import { validate } from '../../processors/validate';
import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { requestSwitch } from '../../src/operations/request-switch';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { twoReadyDeployments } from '../support/ready-deployments';
import { seedProject } from '../support/seed';
import { recordStatements } from '../support/statement-recorder';

/**
 * A switch's checks are on its path to traffic, and on a loaded machine every statement is a wait. `validate` reads the
 * operation's expected source, the project, and the target with its environment in one statement (through Prisma's
 * includes: five, one after the other where they depended); `check-instances`, which runs beside it and so cannot take
 * validate's output, reads its Krane namespace (the project's workspace) in one statement when its job data lacks it
 * (here: a flow enqueued from its row alone; a requested switch hands it in, see
 * a-requested-switch-asks-krane-without-reading-its-namespace) and writes the instances
 * Krane reported in one more. Three statements between the two checks, six before.
 */
describe("a switch's checks", () => {
  let h: EngineHarness<InstantDriver>;
  const pg = recordStatements({ recording: false });
  const statements = pg.statements;
  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver() });
  });
  afterAll(async () => {
    pg.restore();
    await h.close();
  });

  it('read their rows in one statement each, and judge them as the request did', async () => {
    const { project, caller, v1, v2 } = await twoReadyDeployments(h, 'acme');
    const rollback = await requestSwitch({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1 });
    expect((await h.waitForOperation(rollback.operationId)).state).toBe('succeeded');

    // Each check's own work, run again on the finished switch's job data (the engine's step bookkeeping aside): the
    // target is live by now, which a check inside the flow accepts as done.
    const data = { operationId: rollback.operationId, kind: 'rollback' as const, projectId: project.id, ownerId: rollback.operationId, deploymentId: v1 };
    const context = { services: h.engine.deps, data, needs: {} } as unknown as Parameters<typeof validate.run>[0];
    pg.recording = true;
    const target = await validate.run(context);
    const validateStatements = statements.splice(0);
    expect(validateStatements).toHaveLength(1);
    const instances = await checkInstances.run(context as unknown as Parameters<typeof checkInstances.run>[0]);
    const checkStatements = statements.splice(0);
    pg.recording = false;

    expect(validateStatements[0]).toMatch(/FROM "Operation" o LEFT JOIN "Project" p .* LEFT JOIN "Deployment" d .* LEFT JOIN "Environment" e/);
    expect(checkStatements).toHaveLength(2);
    expect(checkStatements[0]).toMatch(/SELECT w."slug" AS "namespace" FROM "Project" p JOIN "Workspace" w/);
    expect(checkStatements[1]).toMatch(/INSERT INTO "Instance"/);
    expect(target).toMatchObject({ projectId: project.id, liveDeploymentId: v1, pinned: true, environmentSlug: 'production' });
    expect(instances.running).toBeGreaterThan(0);

    // The one statement is judged by the request's own checks: a target of another project or none is not found, a
    // target no longer ready is refused.
    const other = await seedProject(h.db.prisma, { workspace: 'beta', project: 'api' });
    const foreign = await h.deploy({ projectId: other.project.id, image: HELLO_API }, other.workspace.id);
    expect((await h.waitForOperation(foreign.operationId)).state).toBe('succeeded');
    const judge = (deploymentId: string, kind: 'rollback' | 'promote' = 'rollback') =>
      validate.run({ ...context, data: { ...data, kind, deploymentId } } as unknown as Parameters<typeof validate.run>[0]);
    await expect(judge(foreign.deploymentId)).rejects.toMatchObject({ code: 'not_found' });
    await expect(judge('dep_missing')).rejects.toMatchObject({ code: 'not_found' });
    await h.db.prisma.deployment.update({ where: { id: v2 }, data: { status: 'building' } });
    await expect(judge(v2, 'promote')).rejects.toMatchObject({ code: 'deployment_not_ready' });
    // A source the operation expects to be live, and which is not (v1 is live now), is stale.
    await h.db.prisma.operation.update({ where: { id: rollback.operationId }, data: { sourceDeploymentId: v2 } });
    await expect(judge(v1)).rejects.toMatchObject({ code: 'stale_source' });
  });
});
