import { planDeployRoutes } from '../../src/routing/plans/plan-deploy-routes';
import { actions, depId, PRODUCTION, PROJECT, productionHostnames, route } from './route-fixtures';

const HOSTS = {
  deployment: 'shop-d0000007-acme.deploy.localhost',
  commit: 'shop-git-abcdef0-acme.deploy.localhost',
  branch: 'shop-git-main-acme.deploy.localhost',
  environment: 'shop-production-acme.deploy.localhost',
  live: 'shop-acme.deploy.localhost',
  custom: 'www.shop.example',
};

// Deployment 3 is live after a rollback; deployment 5 was deployed since, and now deployment 7 arrives.
const existing = [
  route(HOSTS.commit, depId(5), 'commit'),
  route(HOSTS.branch, depId(5), 'branch', { branch: 'main' }),
  route(HOSTS.environment, depId(3), 'environment'),
  route(HOSTS.live, depId(3), 'live'),
];
const customRoutes = [route(HOSTS.custom, depId(3), 'custom')];

describe('a production deploy of a pinned project', () => {
  const plan = planDeployRoutes({
    hostnames: productionHostnames(depId(7)),
    projectId: PROJECT,
    environmentId: PRODUCTION,
    pinned: true,
    existing,
    customRoutes,
  });

  it('gets its own deployment, commit and branch routes but leaves environment, live and custom routes where they are', () => {
    expect(actions(plan)).toEqual([
      ['deployment', HOSTS.deployment, 'create'],
      ['commit', HOSTS.commit, 'move'],
      ['branch', HOSTS.branch, 'move'],
      ['environment', HOSTS.environment, 'skip'],
      ['live', HOSTS.live, 'skip'],
      ['custom', HOSTS.custom, 'skip'],
    ]);
  });

  it.each(['environment', 'live', 'custom'])('says why the %s route stays', (sticky) => {
    const change = plan.changes.find((c) => c.sticky === sticky)!;
    expect(change).toMatchObject({ reason: 'project is rolled back (pinned)', fromDeploymentId: depId(3), toDeploymentId: depId(7) });
  });

  it('does not become live', () => {
    expect(plan.setLive).toBe(false);
  });

  it('keeps its hands off a live route that does not exist yet as well', () => {
    const fresh = planDeployRoutes({
      hostnames: productionHostnames(depId(7)),
      projectId: PROJECT,
      environmentId: PRODUCTION,
      pinned: true,
      existing: [],
      customRoutes: [],
    });
    expect(fresh.changes.filter((c) => c.sticky === 'live' || c.sticky === 'environment').map((c) => c.action)).toEqual(['skip', 'skip']);
    expect(fresh.setLive).toBe(false);
  });

  it('moves them all once the pin is cleared', () => {
    const unpinned = planDeployRoutes({
      hostnames: productionHostnames(depId(7)),
      projectId: PROJECT,
      environmentId: PRODUCTION,
      pinned: false,
      existing,
      customRoutes,
    });
    expect(unpinned.changes.map((c) => c.action)).toEqual(['create', 'move', 'move', 'move', 'move', 'move']);
    expect(unpinned.setLive).toBe(true);
  });
});
