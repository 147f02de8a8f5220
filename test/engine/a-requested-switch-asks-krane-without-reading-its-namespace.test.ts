import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { requestSwitch } from '../../src/operations/request-switch';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';
import { twoReadyDeployments } from '../support/ready-deployments';
import { recordStatements } from '../support/statement-recorder';

/**
 * `check-instances` is the longer of a switch's two checks, so each of its statements is time to traffic. The request
 * reads the target joined to its project's workspace (one statement it sent anyway) and hands the Krane namespace in
 * the job data: check-instances asks Krane at once. Before, it first read the namespace itself (one statement more on
 * the switch's path, `SELECT w."slug" AS "namespace" ...`), and its job data had no namespace.
 */
describe('a requested switch', () => {
  let h: EngineHarness<InstantDriver>;
  const pg = recordStatements({ recording: false });
  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver() });
  });
  afterAll(async () => {
    pg.restore();
    await h.close();
  });

  it('asks Krane for its target with the namespace the request read, without reading it again', async () => {
    const { workspace, project, caller, v1 } = await twoReadyDeployments(h, 'acme');
    pg.recording = true;
    const rollback = await requestSwitch({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1 });
    expect((await h.waitForOperation(rollback.operationId)).state).toBe('succeeded');
    pg.recording = false;

    const namespaceReads = pg.statements.filter((s) => s.includes('AS "namespace" FROM "Project"'));
    expect(namespaceReads).toEqual([]);
    const checks = await h.engine.deps.queues.switches.getJobs(['completed']);
    const check = checks.find((j) => j.data.operationId === rollback.operationId && j.data.step === 'check-instances');
    expect(check?.data.namespace).toBe(workspace.slug);
    expect(check?.returnvalue).toMatchObject({ outputs: { 'check-instances': { running: expect.any(Number) } } });
  });
});
