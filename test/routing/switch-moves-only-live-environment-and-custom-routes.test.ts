import { collisionHostname } from '../../src/routing/hostnames/hostnames';
import { routeOwnerKey } from '../../src/routing/plans/plan-deploy-routes';
import { planSwitchRoutes } from '../../src/routing/plans/plan-switch-routes';
import { depId, OTHER_PROJECT, PREVIEW, PRODUCTION, PROJECT, route, switchTarget } from './route-fixtures';

const routes = [
  route('www.shop.example', depId(7), 'custom'),
  route('shop-acme.deploy.localhost', depId(7), 'live'),
  route('shop-production-acme.deploy.localhost', depId(7), 'environment'),
  route('api.shop.example', depId(7), 'custom'),
  route('shop-d0000007-acme.deploy.localhost', depId(7), 'deployment'),
  route('shop-git-abcdef0-acme.deploy.localhost', depId(7), 'commit'),
  route('shop-git-main-acme.deploy.localhost', depId(7), 'branch', { branch: 'main' }),
  route('shop-preview-acme.deploy.localhost', depId(8), 'environment', { environmentId: PREVIEW }),
  route('preview.shop.example', depId(8), 'custom', { environmentId: PREVIEW }),
  route('other-acme.deploy.localhost', depId(7), 'live', { projectId: OTHER_PROJECT }),
];

describe('planSwitchRoutes', () => {
  it.each(['rollback', 'promote'] as const)('%s moves every live, environment and custom route of production and nothing else', (kind) => {
    const plan = planSwitchRoutes({ kind, projectId: PROJECT, productionEnvironmentId: PRODUCTION, targetDeploymentId: depId(3), routes, target: switchTarget(depId(3), routes) });
    expect(plan).toEqual([
      { hostname: 'shop-production-acme.deploy.localhost', sticky: 'environment', action: 'move', fromDeploymentId: depId(7), toDeploymentId: depId(3), reason: `${kind} to ${depId(3)}` },
      { hostname: 'shop-acme.deploy.localhost', sticky: 'live', action: 'move', fromDeploymentId: depId(7), toDeploymentId: depId(3), reason: `${kind} to ${depId(3)}` },
      { hostname: 'api.shop.example', sticky: 'custom', action: 'move', fromDeploymentId: depId(7), toDeploymentId: depId(3), reason: `${kind} to ${depId(3)}` },
      { hostname: 'www.shop.example', sticky: 'custom', action: 'move', fromDeploymentId: depId(7), toDeploymentId: depId(3), reason: `${kind} to ${depId(3)}` },
    ]);
  });

  it('moves to a newer target as well (promote)', () => {
    const plan = planSwitchRoutes({ kind: 'promote', projectId: PROJECT, productionEnvironmentId: PRODUCTION, targetDeploymentId: depId(9), routes, target: switchTarget(depId(9), routes) });
    expect(plan.map((c) => c.action)).toEqual(['move', 'move', 'move', 'move']);
  });

  it('reports routes already on the target as unchanged (a confirm moves nothing)', () => {
    const plan = planSwitchRoutes({ kind: 'promote', projectId: PROJECT, productionEnvironmentId: PRODUCTION, targetDeploymentId: depId(7), routes, target: switchTarget(depId(7), routes) });
    expect(plan.map((c) => [c.sticky, c.action, c.fromDeploymentId])).toEqual([
      ['environment', 'unchanged', depId(7)],
      ['live', 'unchanged', depId(7)],
      ['custom', 'unchanged', depId(7)],
      ['custom', 'unchanged', depId(7)],
    ]);
    expect(plan.every((c) => c.reason === undefined)).toBe(true);
  });

});

describe('planSwitchRoutes where production has no environment or live route (an undo removed the first deploy\'s routes)', () => {
  const LIVE = 'shop-acme.deploy.localhost';
  const ENV = 'shop-production-acme.deploy.localhost';
  const OWNER = routeOwnerKey(PROJECT, PRODUCTION);
  const plan = (kind: 'rollback' | 'promote', existing: ReturnType<typeof route>[], production = existing) =>
    planSwitchRoutes({ kind, projectId: PROJECT, productionEnvironmentId: PRODUCTION, targetDeploymentId: depId(3), routes: production, target: switchTarget(depId(3), existing) });

  it.each(['rollback', 'promote'] as const)('%s creates them for the target at the hostnames a deploy would use', (kind) => {
    const reason = (sticky: string) => `${kind} to ${depId(3)}: production had no ${sticky} route`;
    expect(plan(kind, [])).toEqual([
      { hostname: ENV, sticky: 'environment', action: 'create', fromDeploymentId: null, toDeploymentId: depId(3), reason: reason('environment') },
      { hostname: LIVE, sticky: 'live', action: 'create', fromDeploymentId: null, toDeploymentId: depId(3), reason: reason('live') },
    ]);
  });

  it('creates only the missing one and moves the other', () => {
    const envOnly = [route(ENV, depId(7), 'environment')];
    expect(plan('rollback', envOnly).map((c) => [c.sticky, c.hostname, c.action])).toEqual([
      ['environment', ENV, 'move'],
      ['live', LIVE, 'create'],
    ]);
  });

  it('uses the collision alternative when another project holds the live hostname, as a deploy would', () => {
    const foreign = route(LIVE, depId(1), 'live', { projectId: OTHER_PROJECT, environmentId: 'env_other' });
    const live = plan('promote', [foreign], []).find((c) => c.sticky === 'live')!;
    expect(live).toMatchObject({ hostname: collisionHostname(LIVE, OWNER), action: 'create', fromDeploymentId: null, toDeploymentId: depId(3) });
    expect(live.reason).toContain('belongs to another project');
  });

  it('reports the live route as skipped when its hostname and the alternative are both taken', () => {
    const taken = [
      route(LIVE, depId(1), 'live', { projectId: OTHER_PROJECT, environmentId: 'env_other' }),
      route(collisionHostname(LIVE, OWNER), depId(2), 'live', { projectId: OTHER_PROJECT, environmentId: 'env_other' }),
    ];
    const live = plan('rollback', taken, []).find((c) => c.sticky === 'live')!;
    expect(live).toMatchObject({ hostname: LIVE, action: 'skip' });
    expect(live.reason).toContain('production had no live route');
  });

  it('planned again once applied, changes nothing', () => {
    const created = plan('rollback', []).map((c) => route(c.hostname, c.toDeploymentId, c.sticky));
    expect(plan('rollback', created).map((c) => c.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('never creates deployment, commit, branch or custom routes', () => {
    expect(new Set(plan('promote', []).map((c) => c.sticky))).toEqual(new Set(['environment', 'live']));
  });
});
