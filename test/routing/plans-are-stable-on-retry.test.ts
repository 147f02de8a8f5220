import { planDeployRoutes, type PlanDeployRoutesInput } from '../../src/routing/plans/plan-deploy-routes';
import { planSwitchRoutes } from '../../src/routing/plans/plan-switch-routes';
import { applyPlan, depId, OTHER_PROJECT, PREVIEW, PRODUCTION, PROJECT, previewHostnames, productionHostnames, route, switchTarget } from './route-fixtures';

const scenarios: Array<[string, PlanDeployRoutesInput]> = [
  ['first production deploy', {
    hostnames: productionHostnames(depId(1)), projectId: PROJECT, environmentId: PRODUCTION, pinned: false, existing: [], customRoutes: [],
  }],
  ['production deploy over an older one, with a custom route', {
    hostnames: productionHostnames(depId(4)), projectId: PROJECT, environmentId: PRODUCTION, pinned: false,
    existing: [route('shop-acme.deploy.localhost', depId(2), 'live'), route('shop-production-acme.deploy.localhost', depId(2), 'environment')],
    customRoutes: [route('www.shop.example', depId(2), 'custom')],
  }],
  ['pinned production deploy', {
    hostnames: productionHostnames(depId(4)), projectId: PROJECT, environmentId: PRODUCTION, pinned: true,
    existing: [route('shop-acme.deploy.localhost', depId(2), 'live')], customRoutes: [route('www.shop.example', depId(2), 'custom')],
  }],
  ['older deploy finishing late', {
    hostnames: productionHostnames(depId(4)), projectId: PROJECT, environmentId: PRODUCTION, pinned: false,
    existing: [route('shop-acme.deploy.localhost', depId(6), 'live'), route('shop-git-main-acme.deploy.localhost', depId(6), 'branch', { branch: 'main' })],
    customRoutes: [],
  }],
  ['preview deploy with colliding hostnames', {
    hostnames: previewHostnames(depId(4)), projectId: PROJECT, environmentId: PREVIEW, pinned: false,
    existing: [
      route('shop-preview-acme.deploy.localhost', depId(1), 'environment', { projectId: OTHER_PROJECT }),
      route('shop-git-abcdef0-acme.deploy.localhost', depId(1), 'commit', { environmentId: PRODUCTION }),
    ],
    customRoutes: [],
  }],
  ['environment slug that collides with the branch route', {
    hostnames: productionHostnames(depId(4), { environmentSlug: 'git-main' }), projectId: PROJECT, environmentId: PRODUCTION, pinned: false,
    existing: [], customRoutes: [],
  }],
];

describe('a deploy plan', () => {
  it.each(scenarios)('%s: is the same every time it is computed', (_name, input) => {
    const first = planDeployRoutes(input);
    expect(planDeployRoutes(structuredClone(input))).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
  });

  it.each(scenarios)('%s: computed again after it was applied, changes nothing', (_name, input) => {
    const first = planDeployRoutes(input);
    const afterApply = applyPlan([...input.existing, ...input.customRoutes], first);
    const again = planDeployRoutes({
      ...input,
      existing: afterApply.filter((r) => r.sticky !== 'custom' || r.environmentId !== input.environmentId),
      customRoutes: afterApply.filter((r) => r.sticky === 'custom' && r.environmentId === input.environmentId),
    });

    expect(again.changes.map((c) => c.hostname)).toEqual(first.changes.map((c) => c.hostname));
    expect(again.changes.every((c) => c.action === 'unchanged' || c.action === 'skip')).toBe(true);
    expect(again.changes.filter((c) => c.action === 'skip')).toEqual(first.changes.filter((c) => c.action === 'skip'));
    expect(again.setLive).toBe(first.setLive);
    expect(applyPlan(afterApply, again)).toEqual(afterApply);
  });
});

describe('a switch plan', () => {
  it('computed again after it was applied, changes nothing', () => {
    const routes = [
      route('shop-acme.deploy.localhost', depId(7), 'live'),
      route('shop-production-acme.deploy.localhost', depId(7), 'environment'),
      route('www.shop.example', depId(7), 'custom'),
    ];
    const input = { kind: 'rollback' as const, projectId: PROJECT, productionEnvironmentId: PRODUCTION, targetDeploymentId: depId(3), routes, target: switchTarget(depId(3), routes) };
    const first = planSwitchRoutes(input);
    expect(planSwitchRoutes(structuredClone(input))).toEqual(first);
    const afterApply = routes.map((r) => ({ ...r, deploymentId: first.find((c) => c.hostname === r.hostname)!.toDeploymentId }));
    expect(planSwitchRoutes({ ...input, routes: afterApply }).map((c) => c.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });
});
