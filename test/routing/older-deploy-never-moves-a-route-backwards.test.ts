import { planDeployRoutes } from '../../src/routing/plans/plan-deploy-routes';
import type { RouteSticky } from '../../src/routing/plans/route-types';
import { depId, PRODUCTION, PROJECT, productionHostnames, route } from './route-fixtures';

const HOSTS: Record<Exclude<RouteSticky, 'deployment'>, string> = {
  commit: 'shop-git-abcdef0-acme.deploy.localhost',
  branch: 'shop-git-main-acme.deploy.localhost',
  environment: 'shop-production-acme.deploy.localhost',
  live: 'shop-acme.deploy.localhost',
  custom: 'www.shop.example',
};

function planWith(sticky: keyof typeof HOSTS, currentTarget: string, deploymentId = depId(5)) {
  const current = route(HOSTS[sticky], currentTarget, sticky, sticky === 'branch' ? { branch: 'main' } : {});
  return planDeployRoutes({
    hostnames: productionHostnames(deploymentId),
    projectId: PROJECT,
    environmentId: PRODUCTION,
    pinned: false,
    existing: sticky === 'custom' ? [] : [current],
    customRoutes: sticky === 'custom' ? [current] : [],
  });
}

describe('an older deploy finishing late', () => {
  it.each<[keyof typeof HOSTS, string]>([
    ['commit', `newer deployment ${depId(9)} already routed here`],
    ['branch', `newer deployment ${depId(9)} already routed here`],
    ['environment', `newer deployment ${depId(9)} already live`],
    ['live', `newer deployment ${depId(9)} already live`],
    ['custom', `newer deployment ${depId(9)} already live`],
  ])('leaves the %s route on the newer deployment', (sticky, reason) => {
    const change = planWith(sticky, depId(9)).changes.find((c) => c.sticky === sticky)!;
    expect(change).toEqual(expect.objectContaining({
      hostname: HOSTS[sticky],
      action: 'skip',
      fromDeploymentId: depId(9),
      toDeploymentId: depId(5),
      reason,
    }));
  });

  it.each(['commit', 'branch', 'environment', 'live', 'custom'] as const)('moves the %s route forward from an older deployment', (sticky) => {
    const change = planWith(sticky, depId(2)).changes.find((c) => c.sticky === sticky)!;
    expect(change).toMatchObject({ action: 'move', fromDeploymentId: depId(2), toDeploymentId: depId(5) });
    expect(change.reason).toBeUndefined();
  });

  it('does not become live when a newer deployment holds the live route', () => {
    expect(planWith('live', depId(9)).setLive).toBe(false);
    expect(planWith('live', depId(2)).setLive).toBe(true);
  });

  it('compares ids as sortable strings, time first', () => {
    // Made a millisecond later but with a smaller random part: still newer.
    const earlier = 'dep_01hz000005zzzzzzzzzzzzzzzz';
    const later = 'dep_01hz0000060000000000000000';
    const change = planWith('live', later, earlier).changes.find((c) => c.sticky === 'live')!;
    expect(change.action).toBe('skip');
  });
});
