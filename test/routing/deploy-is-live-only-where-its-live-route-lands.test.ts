import { collisionHostname } from '../../src/routing/hostnames/hostnames';
import { planDeployRoutes, routeOwnerKey } from '../../src/routing/plans/plan-deploy-routes';
import { depId, OTHER_PROJECT, PRODUCTION, PROJECT, productionHostnames, route } from './route-fixtures';

const LIVE = 'shop-acme.deploy.localhost';
const OWNER = routeOwnerKey(PROJECT, PRODUCTION);

function plan(existing: ReturnType<typeof route>[], pinned = false) {
  return planDeployRoutes({ hostnames: productionHostnames(depId(5)), projectId: PROJECT, environmentId: PRODUCTION, pinned, existing, customRoutes: [] });
}

describe('a production deploy becomes live only where its live route ends on it', () => {
  it('is not live when its live hostname and the alternative both belong to others (no live route could be made)', () => {
    const result = plan([
      route(LIVE, depId(1), 'live', { projectId: OTHER_PROJECT, environmentId: 'env_other' }),
      route(collisionHostname(LIVE, OWNER), depId(2), 'live', { projectId: OTHER_PROJECT, environmentId: 'env_other' }),
    ]);
    expect(result.changes.find((c) => c.sticky === 'live')!.action).toBe('skip');
    expect(result.setLive).toBe(false);
  });

  it('is live exactly when its live route is created, moved or already there: never for a skipped one', () => {
    const cases: [string, ReturnType<typeof route>[], boolean][] = [
      ['created', [], true],
      ['moved from an older deployment', [route(LIVE, depId(4), 'live')], true],
      ['already there', [route(LIVE, depId(5), 'live')], true],
      ['created at the alternative', [route(LIVE, depId(1), 'live', { projectId: OTHER_PROJECT, environmentId: 'env_other' })], true],
      ['skipped: a newer deployment holds it', [route(LIVE, depId(6), 'live')], false],
      [
        'skipped: hostname and alternative taken',
        [
          route(LIVE, depId(1), 'live', { projectId: OTHER_PROJECT, environmentId: 'env_other' }),
          route(collisionHostname(LIVE, OWNER), depId(2), 'live', { projectId: OTHER_PROJECT, environmentId: 'env_other' }),
        ],
        false,
      ],
    ];
    const outcome = (existing: ReturnType<typeof route>[]) => {
      const result = plan(existing);
      return { live: result.changes.find((c) => c.sticky === 'live')!.action !== 'skip', setLive: result.setLive };
    };
    expect(cases.map(([name, existing]) => [name, outcome(existing)])).toEqual(cases.map(([name, , live]) => [name, { live, setLive: live }]));
    expect(plan([], true).setLive).toBe(false);
  });
});
