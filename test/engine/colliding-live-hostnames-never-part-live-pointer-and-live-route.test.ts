import { newId } from '../../src/ids';
import { requestSwitch, requestUndo } from '../../src/operations/request-switch';
import { collisionHostname } from '../../src/routing/hostnames/hostnames';
import { routeOwnerKey } from '../../src/routing/plans/plan-deploy-routes';
import { eventually, getViaHost } from '../support/http-get';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

/**
 * Project `a-b` of workspace `c` and project `a` of workspace `b-c` both want `a-b-c.deploy.localhost` as their live
 * hostname: whoever routes first holds it, the other gets the stable collision alternative. Undoing a first deploy
 * frees a hostname again. Through all of it a project has exactly one live route, on its live deployment, or none
 * and nothing live.
 */
describe('live hostnames shared by two projects', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  let n = 0;
  async function pair() {
    n += 1;
    const first = await seedProject(h.db.prisma, { workspace: `c${n}`, project: 'a-b' });
    const second = await seedProject(h.db.prisma, { workspace: `b-c${n}`, project: 'a' });
    const shared = `a-b-c${n}.deploy.localhost`;
    const deploy = async (p: typeof first) => {
      const r = await h.deploy({ projectId: p.project.id, image: HELLO_API }, p.workspace.id);
      expect((await h.waitForOperation(r.operationId)).state).toBe('succeeded');
      return r.deploymentId;
    };
    const undo = async (p: typeof first) => {
      const r = await requestUndo({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, { workspaceId: p.workspace.id, requestedBy: 'test' }, p.project.id);
      return h.waitForOperation(r.operationId);
    };
    const rollback = async (p: typeof first, targetDeploymentId: string) => {
      const r = await requestSwitch({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, { workspaceId: p.workspace.id, requestedBy: 'test' }, { kind: 'rollback', projectId: p.project.id, targetDeploymentId });
      return h.waitForOperation(r.operationId);
    };
    const state = async (p: typeof first) => {
      const project = await h.db.prisma.project.findUniqueOrThrow({ where: { id: p.project.id } });
      const live = await h.db.prisma.ingressRoute.findMany({ where: { projectId: p.project.id, sticky: 'live' }, orderBy: { hostname: 'asc' } });
      return { live: project.liveDeploymentId, liveRoutes: live.map((r) => [r.hostname, r.deploymentId]) };
    };
    const alternative = (p: typeof first) => collisionHostname(shared, routeOwnerKey(p.project.id, p.production.id));
    return { first, second, shared, deploy, undo, rollback, state, alternative };
  }

  it('a project whose live route sits at the alternative keeps it there once the other frees the hostname, and the gateway serves it', async () => {
    const gateway = await h.startGateway();
    const t = await pair();
    await t.deploy(t.first);
    const w1 = await t.deploy(t.second);
    expect(await t.state(t.second)).toEqual({ live: w1, liveRoutes: [[t.alternative(t.second), w1]] });

    expect((await t.undo(t.first)).state).toBe('succeeded');
    expect(await t.state(t.first)).toEqual({ live: null, liveRoutes: [] });
    const w2 = await t.deploy(t.second);
    expect(await t.state(t.second)).toEqual({ live: w2, liveRoutes: [[t.alternative(t.second), w2]] });
    await eventually(async () => {
      const r = await getViaHost(gateway.port, t.alternative(t.second));
      if (r.headers['x-deployment-id'] !== w2) throw new Error(`${r.status} ${r.body}`);
    });
    expect((await getViaHost(gateway.port, t.shared)).status).toBe(404);
  });

  it('an undo of an undo whose live hostname was taken meanwhile fails as a live-route mismatch and changes nothing', async () => {
    const t = await pair();
    await t.deploy(t.first);
    expect((await t.undo(t.first)).state).toBe('succeeded');
    const w1 = await t.deploy(t.second);
    expect(await t.state(t.second)).toEqual({ live: w1, liveRoutes: [[t.shared, w1]] });

    const redo = await t.undo(t.first);
    expect({ state: redo.state, code: redo.errorCode }).toEqual({ state: 'failed', code: 'live_route_mismatch' });
    expect(await t.state(t.first)).toEqual({ live: null, liveRoutes: [] });
    expect(await h.db.prisma.ingressRoute.count({ where: { projectId: t.first.project.id } })).toBe(0);
    expect(await t.state(t.second)).toEqual({ live: w1, liveRoutes: [[t.shared, w1]] });
  });

  it('a first deploy whose live hostname and alternative both belong to others succeeds without becoming live', async () => {
    const t = await pair();
    const blocker = await seedProject(h.db.prisma, { workspace: `blocker${n}`, project: 'x' });
    for (const hostname of [t.shared, t.alternative(t.first)]) {
      await h.db.prisma.ingressRoute.create({ data: { id: newId('rt'), hostname, projectId: blocker.project.id, environmentId: blocker.production.id, deploymentId: 'dep_blocker', sticky: 'custom' } });
    }
    const v1 = await t.deploy(t.first);
    expect(await t.state(t.first)).toEqual({ live: null, liveRoutes: [] });
    const updateLive = await h.db.prisma.deploymentStep.findFirstOrThrow({ where: { ownerId: v1, name: 'update-live' } });
    expect(updateLive.output).toContain('not live');
    expect(updateLive.output).toContain('no live route');
  });

  it('a rollback after an undo of a first deploy creates the live route at the alternative when the hostname was taken meanwhile, and fails cleanly when that is taken too', async () => {
    const gateway = await h.startGateway();
    const t = await pair();
    const v1 = await t.deploy(t.first);
    expect((await t.undo(t.first)).state).toBe('succeeded');
    const w1 = await t.deploy(t.second);

    const blocked = await pair();
    const b1 = await blocked.deploy(blocked.first);
    expect((await blocked.undo(blocked.first)).state).toBe('succeeded');
    await blocked.deploy(blocked.second);
    const blocker = await seedProject(h.db.prisma, { workspace: `blocker${n}`, project: 'x' });
    await h.db.prisma.ingressRoute.create({
      data: { id: newId('rt'), hostname: blocked.alternative(blocked.first), projectId: blocker.project.id, environmentId: blocker.production.id, deploymentId: 'dep_blocker', sticky: 'custom' },
    });

    expect((await t.rollback(t.first, v1)).state).toBe('succeeded');
    expect(await t.state(t.first)).toEqual({ live: v1, liveRoutes: [[t.alternative(t.first), v1]] });
    expect(await t.state(t.second)).toEqual({ live: w1, liveRoutes: [[t.shared, w1]] });
    await eventually(async () => {
      const r = await getViaHost(gateway.port, t.alternative(t.first));
      if (r.headers['x-deployment-id'] !== v1) throw new Error(`${r.status} ${r.body}`);
    });

    const refused = await blocked.rollback(blocked.first, b1);
    expect({ state: refused.state, code: refused.errorCode }).toEqual({ state: 'failed', code: 'live_hostname_unavailable' });
    const project = await h.db.prisma.project.findUniqueOrThrow({ where: { id: blocked.first.project.id } });
    expect({ live: project.liveDeploymentId, pinned: project.isRolledBack }).toEqual({ live: null, pinned: false });
    expect(await h.db.prisma.ingressRoute.count({ where: { projectId: blocked.first.project.id, sticky: { in: ['live', 'environment'] } } })).toBe(0);
  });
});
