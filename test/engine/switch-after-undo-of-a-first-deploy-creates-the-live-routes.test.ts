import { requestSwitch, requestUndo } from '../../src/operations/request-switch';
import { eventually, getViaHost } from '../support/http-get';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

/**
 * The reproduction of a project left with a live pointer and no live route: deploy v1 as the first production deploy,
 * undo it (every route deleted, nothing live), then roll back or promote to v1. The switch must create the production
 * live and environment routes again, the gateway must serve v1 on them, and an undo of the switch removes them.
 */
describe('rollback or promote after an undo of a first deploy', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  async function firstDeployUndone(workspaceSlug: string) {
    const gateway = await h.startGateway();
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: workspaceSlug, project: 'shop' });
    const caller = { workspaceId: workspace.id, requestedBy: 'key_test' };
    const deps = { prisma: h.db.prisma, enqueue: h.engine.enqueue };
    const deploy = async (version: string) => {
      const r = await h.deploy({ projectId: 'shop', image: HELLO_API, git: { branch: 'main' }, runtime: { env: { VERSION: version } } }, workspace.id);
      expect((await h.waitForOperation(r.operationId)).state).toBe('succeeded');
      return r.deploymentId;
    };
    const succeeds = async (op: Promise<{ operationId: string }>) => {
      const done = await h.waitForOperation((await op).operationId);
      expect({ state: done.state, error: done.errorMessage }).toEqual({ state: 'succeeded', error: null });
    };
    const serves = (host: string, deploymentId: string) =>
      eventually(async () => {
        const r = await getViaHost(gateway.port, host);
        if (r.status !== 200 || r.headers['x-deployment-id'] !== deploymentId) throw new Error(`${host}: ${r.status} ${r.headers['x-deployment-id']} ${r.body}`);
      });
    const answers404 = (host: string) =>
      eventually(async () => {
        const r = await getViaHost(gateway.port, host);
        if (r.status !== 404) throw new Error(`${host}: ${r.status} ${r.body}`);
      });
    const live = `shop-${workspaceSlug}.deploy.localhost`;
    const env = `shop-production-${workspaceSlug}.deploy.localhost`;
    const state = async () => {
      const p = await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } });
      const routes = await h.db.prisma.ingressRoute.findMany({ where: { projectId: project.id, sticky: { in: ['live', 'environment'] } }, orderBy: { hostname: 'asc' } });
      return { live: p.liveDeploymentId, pinned: p.isRolledBack, routes: routes.map((r) => [r.sticky, r.hostname, r.deploymentId]) };
    };

    const v1 = await deploy('v1');
    await serves(live, v1);
    await succeeds(requestUndo(deps, caller, 'shop'));
    expect(await state()).toEqual({ live: null, pinned: false, routes: [] });
    await answers404(live);
    return { caller, deps, deploy, succeeds, serves, answers404, state, live, env, v1 };
  }

  it('a rollback to v1 creates its live and environment routes, and a deploy while pinned keeps serving v1', async () => {
    const t = await firstDeployUndone('acme');
    await t.succeeds(requestSwitch(t.deps, t.caller, { kind: 'rollback', projectId: 'shop', targetDeploymentId: t.v1, reason: 'back' }));
    expect(await t.state()).toEqual({
      live: t.v1,
      pinned: true,
      routes: [
        ['live', t.live, t.v1],
        ['environment', t.env, t.v1],
      ],
    });
    await t.serves(t.live, t.v1);
    await t.serves(t.env, t.v1);

    const v2 = await t.deploy('v2');
    expect(await t.state()).toMatchObject({ live: t.v1, pinned: true, routes: [['live', t.live, t.v1], ['environment', t.env, t.v1]] });
    await t.serves(t.live, t.v1);
    await t.serves(t.env, t.v1);
    await t.serves('shop-git-main-acme.deploy.localhost', v2);
  });

  it('a promote of v1 creates its live and environment routes, and an undo of the promote removes them again', async () => {
    const t = await firstDeployUndone('beta');
    await t.succeeds(requestSwitch(t.deps, t.caller, { kind: 'promote', projectId: 'shop', targetDeploymentId: t.v1 }));
    expect(await t.state()).toEqual({
      live: t.v1,
      pinned: false,
      routes: [
        ['live', t.live, t.v1],
        ['environment', t.env, t.v1],
      ],
    });
    await t.serves(t.live, t.v1);
    await t.serves(t.env, t.v1);

    await t.succeeds(requestUndo(t.deps, t.caller, 'shop'));
    expect(await t.state()).toEqual({ live: null, pinned: false, routes: [] });
    await t.answers404(t.live);
    await t.answers404(t.env);

    // Undoing the undo redoes the promote: the routes come back with the live pointer.
    await t.succeeds(requestUndo(t.deps, t.caller, 'shop'));
    expect(await t.state()).toEqual({ live: t.v1, pinned: false, routes: [['live', t.live, t.v1], ['environment', t.env, t.v1]] });
    await t.serves(t.live, t.v1);
  });
});

/**
 * A project that older code left with a live pointer and no live route (exactly what the reproduction above produced)
 * is not made worse: a deploy while it is pinned would keep it so and is refused; a promote of the live deployment (the
 * confirm of the pin) creates the missing routes, after which deploys route as usual.
 */
describe('a project left with a live pointer and no live route by older code', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('refuses a pinned deploy that would keep it so, and a promote of the live deployment repairs it', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'legacy', project: 'shop' });
    const caller = { workspaceId: workspace.id, requestedBy: 'key_test' };
    const deps = { prisma: h.db.prisma, enqueue: h.engine.enqueue };
    const deploy = async () => {
      const r = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspace.id);
      return { ...r, done: await h.waitForOperation(r.operationId) };
    };
    const v1 = await deploy();
    expect(v1.done.state).toBe('succeeded');
    // What older code committed: routes gone, v1 live and pinned.
    await h.db.prisma.ingressRoute.deleteMany({ where: { projectId: project.id } });
    await h.db.prisma.project.update({ where: { id: project.id }, data: { liveDeploymentId: v1.deploymentId, isRolledBack: true, rolledBackAt: new Date() } });

    const v2 = await deploy();
    expect({ state: v2.done.state, code: v2.done.errorCode }).toEqual({ state: 'failed', code: 'live_route_mismatch' });
    expect(v2.done.errorMessage).toContain('no live route');

    const promote = await requestSwitch(deps, caller, { kind: 'promote', projectId: 'shop', targetDeploymentId: v1.deploymentId });
    expect((await h.waitForOperation(promote.operationId)).state).toBe('succeeded');
    const live = await h.db.prisma.ingressRoute.findMany({ where: { projectId: project.id, sticky: 'live' } });
    expect(live.map((r) => [r.hostname, r.deploymentId])).toEqual([['shop-legacy.deploy.localhost', v1.deploymentId]]);

    const v3 = await deploy();
    expect(v3.done.state).toBe('succeeded');
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v3.deploymentId);
  });
});
