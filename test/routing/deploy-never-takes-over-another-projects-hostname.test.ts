import type { RouteSticky } from '../../src/routing/plans/route-types';
import { collisionHostname } from '../../src/routing/hostnames/hostnames';
import { planDeployRoutes, routeLookupHostnames, routeOwnerKey } from '../../src/routing/plans/plan-deploy-routes';
import { depId, OTHER_PROJECT, PREVIEW, PRODUCTION, PROJECT, productionHostnames, route } from './route-fixtures';

const OWNER = routeOwnerKey(PROJECT, PRODUCTION);
const LIVE = 'shop-acme.deploy.localhost';
const ENV = 'shop-production-acme.deploy.localhost';
const BRANCH = 'shop-git-main-acme.deploy.localhost';
const COMMIT = 'shop-git-abcdef0-acme.deploy.localhost';

function plan(existing: ReturnType<typeof route>[], extra = {}) {
  return planDeployRoutes({
    hostnames: productionHostnames(depId(5), extra),
    projectId: PROJECT,
    environmentId: PRODUCTION,
    pinned: false,
    existing,
    customRoutes: [],
  });
}

describe('a deploy never takes over a hostname that belongs to someone else', () => {
  it.each<[string, string, RouteSticky, Parameters<typeof route>[3], string]>([
    ['live hostname of another project', LIVE, 'live', { projectId: OTHER_PROJECT, environmentId: 'env_other' }, 'belongs to another project'],
    ['environment hostname of another project', ENV, 'environment', { projectId: OTHER_PROJECT, environmentId: 'env_other' }, 'belongs to another project'],
    ['branch hostname of another environment', BRANCH, 'branch', { environmentId: PREVIEW, branch: 'main' }, 'belongs to another environment'],
    ['commit hostname of another environment', COMMIT, 'commit', { environmentId: PREVIEW }, 'belongs to another environment'],
    ['custom hostname of another project', LIVE, 'custom', { projectId: OTHER_PROJECT, environmentId: 'env_other' }, 'belongs to another project'],
  ])('%s: uses the stable alternative and says so', (_name, hostname, sticky, owner, why) => {
    const foreign = route(hostname, depId(1), sticky, owner);
    const result = plan([foreign]);
    const alternative = collisionHostname(hostname, OWNER);

    expect(result.changes.map((c) => c.hostname)).not.toContain(hostname);
    const change = result.changes.find((c) => c.hostname === alternative)!;
    expect(change).toMatchObject({ action: 'create', fromDeploymentId: null, toDeploymentId: depId(5) });
    expect(result.notes.join('\n')).toContain(`${hostname} ${why}; using ${alternative}`);
  });

  it('moves our own route at the alternative on the next deploy', () => {
    const alternative = collisionHostname(LIVE, OWNER);
    const result = plan([route(LIVE, depId(1), 'live', { projectId: OTHER_PROJECT }), route(alternative, depId(3), 'live')]);
    expect(result.changes.find((c) => c.sticky === 'live')).toMatchObject({
      hostname: alternative,
      action: 'move',
      fromDeploymentId: depId(3),
      toDeploymentId: depId(5),
    });
    expect(result.setLive).toBe(true);
  });

  it('skips the route when the alternative is taken too', () => {
    const alternative = collisionHostname(LIVE, OWNER);
    const result = plan([
      route(LIVE, depId(1), 'live', { projectId: OTHER_PROJECT }),
      route(alternative, depId(2), 'live', { projectId: OTHER_PROJECT }),
    ]);
    const live = result.changes.find((c) => c.sticky === 'live')!;
    expect(live).toMatchObject({ hostname: LIVE, action: 'skip', fromDeploymentId: null });
    expect(live.reason).toContain('belongs to another project');
    expect(live.reason).toContain(alternative);
    expect(result.changes.map((c) => c.hostname)).not.toContain(alternative);
  });

  it('never turns a custom route into a generated one', () => {
    const result = planDeployRoutes({
      hostnames: productionHostnames(depId(5)),
      projectId: PROJECT,
      environmentId: PRODUCTION,
      pinned: false,
      existing: [],
      customRoutes: [route(LIVE, depId(1), 'custom')],
    });
    expect(result.changes.filter((c) => c.hostname === LIVE)).toEqual([
      { hostname: LIVE, sticky: 'custom', action: 'move', fromDeploymentId: depId(1), toDeploymentId: depId(5) },
    ]);
    expect(result.changes.find((c) => c.sticky === 'live')!.hostname).toBe(collisionHostname(LIVE, OWNER));
  });

  it('gives two routes of one deployment that generate the same hostname different hostnames', () => {
    // Environment "git-main" and branch "main" both generate shop-git-main-acme: the branch route comes first.
    const result = plan([], { environmentSlug: 'git-main' });
    expect(result.changes.find((c) => c.sticky === 'branch')!.hostname).toBe(BRANCH);
    expect(result.changes.find((c) => c.sticky === 'environment')!.hostname).toBe(collisionHostname(BRANCH, OWNER));
    const hostnames = result.changes.filter((c) => c.action !== 'skip').map((c) => c.hostname);
    expect(new Set(hostnames).size).toBe(hostnames.length);
  });

  it('does not take over the deployment hostname of another deployment', () => {
    const deploymentHost = `shop-d0000005-acme.deploy.localhost`;
    const result = plan([route(deploymentHost, depId(4), 'deployment')]);
    expect(result.changes[0]).toMatchObject({ sticky: 'deployment', hostname: collisionHostname(deploymentHost, OWNER), action: 'create' });
  });

  it('lists every hostname the planner needs to see: generated ones and their alternatives', () => {
    const lookups = routeLookupHostnames({ hostnames: productionHostnames(depId(5)), projectId: PROJECT, environmentId: PRODUCTION });
    for (const hostname of [LIVE, ENV, BRANCH, COMMIT, 'shop-d0000005-acme.deploy.localhost']) {
      expect(lookups).toContain(hostname);
      expect(lookups).toContain(collisionHostname(hostname, OWNER));
    }
    expect(lookups).toHaveLength(10);
  });
});
