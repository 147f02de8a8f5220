import { newId } from '../../src/ids';
import { requestUndo } from '../../src/operations/request-switch';
import { readStoredRouteChange } from '../../src/routing/changes/stored-route-change';
import type { GatewayService } from '../../src/gateway';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';
import { CanaryDriver, startCanaryDriver } from './canary-fixture';

/**
 * A canary weight is routing state like a route's deployment: it changes only in a routing step (the project's turn,
 * one transaction, a RouteChange row, published to the gateways), and `undo` puts the previous weights back.
 * 1..99 splits the live, environment and custom routes (their deployment stays the stable side); 100 moves them to
 * the canary and makes it live (the live-route invariant holds); 0 clears the canary. A plain switch that moves a
 * route's stable side clears its canary (a canary is weighed against the stable it started on), and an undo of that
 * switch brings the canary back.
 */
describe('canary weights through the routing queue', () => {
  let h: EngineHarness;
  let driver: CanaryDriver;
  let gateway: GatewayService;
  beforeAll(async () => {
    h = await startEngineHarness();
    driver = startCanaryDriver(h);
    gateway = await h.startGateway();
  }, 60_000);
  afterAll(async () => {
    await driver?.close();
    await h?.close();
  });

  async function world() {
    const seeded = await seedProject(h.db.prisma);
    const { project, production } = seeded;
    const ws = seeded.workspace.slug;
    const deployment = async (status: 'ready' | 'failed' = 'ready', environmentId = production.id, projectId = project.id) => {
      const id = newId('dep');
      await h.db.prisma.deployment.create({ data: { id, projectId, environmentId, image: 'img', status } });
      return id;
    };
    const v1 = await deployment();
    const v2 = await deployment();
    const live = `api-${ws}.deploy.localhost`;
    const env = `api-production-${ws}.deploy.localhost`;
    const pinnedToV1 = `api-${v1.slice(-8)}-${ws}.deploy.localhost`;
    for (const [hostname, sticky] of [[live, 'live'], [env, 'environment'], [pinnedToV1, 'deployment']] as const) {
      await h.db.prisma.ingressRoute.create({ data: { id: newId('rt'), hostname, projectId: project.id, environmentId: production.id, deploymentId: v1, sticky } });
    }
    await h.db.prisma.project.update({ where: { id: project.id }, data: { liveDeploymentId: v1 } });
    const routes = async () =>
      (await h.db.prisma.ingressRoute.findMany({ where: { projectId: project.id }, orderBy: { hostname: 'asc' } })).map((r) => ({
        hostname: r.hostname,
        deploymentId: r.deploymentId,
        canary: r.canaryDeploymentId === null ? null : `${r.canaryDeploymentId}@${r.canaryWeight}`,
      }));
    const state = async () => ({ live: (await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId, routes: await routes() });
    const expected = (live_: string, stable: string, canary: string | null) => ({
      live: live_,
      routes: [
        { hostname: pinnedToV1, deploymentId: v1, canary: null },
        { hostname: live, deploymentId: stable, canary },
        { hostname: env, deploymentId: stable, canary },
      ].sort((a, b) => (a.hostname < b.hostname ? -1 : 1)),
    });
    const setWeight = async (weight: number, canary = v2) => expect(await driver.setWeight(project.id, production.id, canary, weight)).toBeUndefined();
    const undo = async () => {
      const { operationId } = await requestUndo({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, { workspaceId: seeded.workspace.id, requestedBy: 'test' }, project.id);
      expect((await h.waitForOperation(operationId)).state).toBe('succeeded');
    };
    const lastChange = async () => {
      const row = await h.db.prisma.routeChange.findFirstOrThrow({ where: { projectId: project.id }, orderBy: { sequence: 'desc' } });
      return { sequence: row.sequence, liveFrom: row.liveFrom, liveTo: row.liveTo, ...readStoredRouteChange(row.changes) };
    };
    /** What the gateway makes of the live hostname once it has applied everything published so far. */
    const served = async () => {
      const version = Number(await h.redis.get(`${h.prefix}:routes:version`));
      for (let i = 0; gateway.table.version < version; i++) {
        if (i > 500) throw new Error('the gateway never applied the published change');
        await new Promise((r) => setTimeout(r, 20));
      }
      const target = gateway.table.lookup(live);
      return target && { deploymentId: target.deploymentId, canary: target.canary ? `${target.canary.deploymentId}@${target.canary.weight}` : null };
    };
    return { project, production, deployment, v1, v2, live, env, state, expected, setWeight, undo, lastChange, served };
  }

  it('records a weight change as a RouteChange, publishes it, and undo restores the previous weight', async () => {
    const w = await world();
    await w.setWeight(25);
    expect(await w.state()).toEqual(w.expected(w.v1, w.v1, `${w.v2}@25`));
    const first = await w.lastChange();
    expect(first.applied.map((c) => [c.hostname, c.fromDeploymentId, c.toDeploymentId, c.canaryFrom, c.canaryTo])).toEqual(
      [w.live, w.env].sort().map((hostname) => [hostname, w.v1, w.v1, null, { deploymentId: w.v2, weight: 25 }]),
    );
    expect(first.notes[0]).toBe(`canary ${w.v2} canary at 25% on 2 route(s)`);
    expect(await w.served()).toEqual({ deploymentId: w.v1, canary: `${w.v2}@25` });

    await w.setWeight(50);
    expect(await w.state()).toEqual(w.expected(w.v1, w.v1, `${w.v2}@50`));
    expect(await w.served()).toEqual({ deploymentId: w.v1, canary: `${w.v2}@50` });

    await w.undo();
    expect(await w.state()).toEqual(w.expected(w.v1, w.v1, `${w.v2}@25`));
    expect(await w.served()).toEqual({ deploymentId: w.v1, canary: `${w.v2}@25` });
    // Undoing the undo redoes the change.
    await w.undo();
    expect(await w.state()).toEqual(w.expected(w.v1, w.v1, `${w.v2}@50`));
  });

  it('weight 100 moves the routes to the canary and makes it live; undo puts the stable back with its canary', async () => {
    const w = await world();
    await w.setWeight(25);
    await w.setWeight(100);
    expect(await w.state()).toEqual(w.expected(w.v2, w.v2, null));
    expect(await w.lastChange()).toMatchObject({ liveFrom: w.v1, liveTo: w.v2 });
    const liveRoutes = await h.db.prisma.ingressRoute.findMany({ where: { projectId: w.project.id, sticky: 'live' } });
    expect(liveRoutes.map((r) => r.deploymentId)).toEqual([w.v2]);
    expect(await w.served()).toEqual({ deploymentId: w.v2, canary: null });

    await w.undo();
    expect(await w.state()).toEqual(w.expected(w.v1, w.v1, `${w.v2}@25`));
    expect(await w.served()).toEqual({ deploymentId: w.v1, canary: `${w.v2}@25` });
  });

  it('weight 0 clears the canary and leaves the stable serving alone', async () => {
    const w = await world();
    await w.setWeight(10);
    expect(await w.state()).toEqual(w.expected(w.v1, w.v1, `${w.v2}@10`));
    expect(await w.served()).toEqual({ deploymentId: w.v1, canary: `${w.v2}@10` });
    await w.setWeight(0);
    expect(await w.state()).toEqual(w.expected(w.v1, w.v1, null));
    expect(await w.served()).toEqual({ deploymentId: w.v1, canary: null });
    // Aborting again finds nothing to clear: an empty change, not an error.
    await w.setWeight(0);
    expect((await w.lastChange()).applied).toEqual([]);
  });

  it('a plain switch that moves the stable side clears the canary, and an undo of the switch restores it', async () => {
    const w = await world();
    const v3 = await w.deployment();
    await w.setWeight(25);
    expect(await driver.moveStable(w.project.id, w.production.id, v3)).toBeUndefined();
    expect(await w.state()).toEqual(w.expected(v3, v3, null));
    const moved = await w.lastChange();
    expect(moved.applied.map((c) => [c.fromDeploymentId, c.toDeploymentId, c.canaryFrom, c.canaryTo])).toEqual([
      [w.v1, v3, { deploymentId: w.v2, weight: 25 }, null],
      [w.v1, v3, { deploymentId: w.v2, weight: 25 }, null],
    ]);
    expect(await w.served()).toEqual({ deploymentId: v3, canary: null });

    await w.undo();
    expect(await w.state()).toEqual(w.expected(w.v1, w.v1, `${w.v2}@25`));
    expect(await w.served()).toEqual({ deploymentId: w.v1, canary: `${w.v2}@25` });
  });

  it('refuses a weight outside 0..100 or a canary that cannot take traffic, with a typed error, writing nothing', async () => {
    const w = await world();
    const otherEnvironment = await w.deployment('ready', (await h.db.prisma.environment.findFirstOrThrow({ where: { projectId: w.project.id, isProduction: false } })).id);
    const failed = await w.deployment('failed');
    const before = await w.state();
    const refusals: Array<[number, string, string]> = [
      [101, w.v2, 'invalid_canary_weight'],
      [2.5, w.v2, 'invalid_canary_weight'],
      [-1, w.v2, 'invalid_canary_weight'],
      [25, failed, 'canary_not_eligible'],
      [25, otherEnvironment, 'canary_not_eligible'],
      [25, 'dep_missing', 'canary_not_eligible'],
    ];
    for (const [weight, canary, code] of refusals) {
      const reason = await driver.setWeight(w.project.id, w.production.id, canary, weight);
      expect(reason).toContain(`(${code})`);
    }
    expect(await w.state()).toEqual(before);
    expect(await h.db.prisma.routeChange.count({ where: { projectId: w.project.id } })).toBe(0);
    // A canary that failed meanwhile can still be aborted: taking its traffic away is always allowed.
    await h.db.prisma.ingressRoute.updateMany({ where: { projectId: w.project.id, sticky: { in: ['live', 'environment'] } }, data: { canaryDeploymentId: failed, canaryWeight: 5 } });
    await w.setWeight(0, failed);
    expect(await w.state()).toEqual(before);
  });
});
