import { requestSwitch, requestUndo } from '../../src/operations/request-switch';
import { eventually, getViaHost } from '../support/http-get';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

describe('rollback, deploy while pinned, promote, undo', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('follows the pin through the whole scenario and the gateway serves each step', async () => {
    const gateway = await h.startGateway();
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const caller = { workspaceId: workspace.id, requestedBy: 'key_test' };
    const deps = { prisma: h.db.prisma, enqueue: h.engine.enqueue };
    const deploy = async (version: string) => {
      const r = await h.deploy({ projectId: 'shop', image: HELLO_API, git: { branch: 'main' }, runtime: { env: { VERSION: version } } }, workspace.id);
      expect((await h.waitForOperation(r.operationId)).state).toBe('succeeded');
      return r.deploymentId;
    };
    const serves = (host: string, version: string) =>
      eventually(async () => {
        const r = await getViaHost(gateway.port, host);
        if (r.status !== 200 || r.json().version !== version) throw new Error(`${host}: ${r.status} ${r.body}`);
      });
    const live = 'shop-acme.deploy.localhost';
    const env = 'shop-production-acme.deploy.localhost';
    const projectRow = () => h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } });

    const v1 = await deploy('v1');
    const v2 = await deploy('v2');
    await serves(live, 'v2');

    const rollback = await requestSwitch(deps, caller, { kind: 'rollback', projectId: 'shop', targetDeploymentId: v1, expectedSourceDeploymentId: v2, reason: 'v2 breaks checkout' });
    expect((await h.waitForOperation(rollback.operationId)).state).toBe('succeeded');
    let p = await projectRow();
    expect(p).toMatchObject({ liveDeploymentId: v1, isRolledBack: true, rollbackReason: 'v2 breaks checkout', rolledBackBy: 'key_test', rolledBackFromDeploymentId: v2 });
    await serves(live, 'v1');
    await serves(env, 'v1');

    const v3 = await deploy('v3');
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: v3 } })).status).toBe('ready');
    const v3Own = await h.db.prisma.ingressRoute.findFirstOrThrow({ where: { deploymentId: v3, sticky: 'deployment' } });
    await serves(v3Own.hostname, 'v3');
    await serves('shop-git-main-acme.deploy.localhost', 'v3');
    p = await projectRow();
    expect(p.liveDeploymentId).toBe(v1);
    await serves(live, 'v1');

    const promote = await requestSwitch(deps, caller, { kind: 'promote', projectId: 'shop', targetDeploymentId: v3 });
    expect((await h.waitForOperation(promote.operationId)).state).toBe('succeeded');
    p = await projectRow();
    expect(p).toMatchObject({ liveDeploymentId: v3, isRolledBack: false, rollbackReason: null });
    await serves(live, 'v3');

    const undo = await requestUndo(deps, caller, 'shop');
    expect((await h.waitForOperation(undo.operationId)).state).toBe('succeeded');
    p = await projectRow();
    expect(p).toMatchObject({ liveDeploymentId: v1, isRolledBack: true });
    await serves(live, 'v1');
    await serves(env, 'v1');

    const steps = await h.db.prisma.deploymentStep.findMany({ where: { ownerId: rollback.operationId }, orderBy: { position: 'asc' } });
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ['validate', 'succeeded'],
      ['check-instances', 'succeeded'],
      ['switch-routes', 'succeeded'],
    ]);
  });

  it('rollback to a deployment whose instances are gone fails at check-instances and changes nothing', async () => {
    const { workspace } = await seedProject(h.db.prisma, { workspace: 'beta', project: 'web' });
    const caller = { workspaceId: workspace.id, requestedBy: 'key_test' };
    const a = await h.deploy({ projectId: 'web', image: HELLO_API }, workspace.id);
    await h.waitForOperation(a.operationId);
    const b = await h.deploy({ projectId: 'web', image: HELLO_API }, workspace.id);
    await h.waitForOperation(b.operationId);
    await h.krane.client.delete('beta', a.deploymentId);
    const before = await h.db.prisma.ingressRoute.findMany({ orderBy: { hostname: 'asc' } });
    const op = await requestSwitch({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, caller, { kind: 'rollback', projectId: 'web', targetDeploymentId: a.deploymentId });
    const done = await h.waitForOperation(op.operationId);
    expect(done.state).toBe('failed');
    expect(done.errorCode).toBe('no_running_instances');
    expect(done.errorMessage).toMatch(/check-instances: deployment .* has no running instances/);
    expect(await h.db.prisma.ingressRoute.findMany({ orderBy: { hostname: 'asc' } })).toEqual(before);
    const web = await h.db.prisma.project.findFirstOrThrow({ where: { slug: 'web', workspaceId: workspace.id } });
    expect(web).toMatchObject({ liveDeploymentId: b.deploymentId, isRolledBack: false });
  });
});
