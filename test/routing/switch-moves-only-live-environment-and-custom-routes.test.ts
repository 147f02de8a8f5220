import { planSwitchRoutes } from '../../src/routing/plan-switch-routes';
import { depId, OTHER_PROJECT, PREVIEW, PRODUCTION, PROJECT, route } from './route-fixtures';

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
    const plan = planSwitchRoutes({ kind, projectId: PROJECT, productionEnvironmentId: PRODUCTION, targetDeploymentId: depId(3), routes });
    expect(plan).toEqual([
      { hostname: 'shop-production-acme.deploy.localhost', sticky: 'environment', action: 'move', fromDeploymentId: depId(7), toDeploymentId: depId(3), reason: `${kind} to ${depId(3)}` },
      { hostname: 'shop-acme.deploy.localhost', sticky: 'live', action: 'move', fromDeploymentId: depId(7), toDeploymentId: depId(3), reason: `${kind} to ${depId(3)}` },
      { hostname: 'api.shop.example', sticky: 'custom', action: 'move', fromDeploymentId: depId(7), toDeploymentId: depId(3), reason: `${kind} to ${depId(3)}` },
      { hostname: 'www.shop.example', sticky: 'custom', action: 'move', fromDeploymentId: depId(7), toDeploymentId: depId(3), reason: `${kind} to ${depId(3)}` },
    ]);
  });

  it('moves to a newer target as well (promote)', () => {
    const plan = planSwitchRoutes({ kind: 'promote', projectId: PROJECT, productionEnvironmentId: PRODUCTION, targetDeploymentId: depId(9), routes });
    expect(plan.map((c) => c.action)).toEqual(['move', 'move', 'move', 'move']);
  });

  it('reports routes already on the target as unchanged (a confirm moves nothing)', () => {
    const plan = planSwitchRoutes({ kind: 'promote', projectId: PROJECT, productionEnvironmentId: PRODUCTION, targetDeploymentId: depId(7), routes });
    expect(plan.map((c) => [c.sticky, c.action, c.fromDeploymentId])).toEqual([
      ['environment', 'unchanged', depId(7)],
      ['live', 'unchanged', depId(7)],
      ['custom', 'unchanged', depId(7)],
      ['custom', 'unchanged', depId(7)],
    ]);
    expect(plan.every((c) => c.reason === undefined)).toBe(true);
  });

  it('is empty when production has no switchable routes', () => {
    expect(planSwitchRoutes({ kind: 'rollback', projectId: PROJECT, productionEnvironmentId: PRODUCTION, targetDeploymentId: depId(3), routes: routes.slice(4) })).toEqual([]);
  });
});
