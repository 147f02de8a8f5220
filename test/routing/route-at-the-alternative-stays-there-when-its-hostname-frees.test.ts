import type { RouteSticky } from '../../src/routing/plans/route-types';
import { collisionHostname } from '../../src/routing/hostnames/hostnames';
import { planDeployRoutes, routeOwnerKey } from '../../src/routing/plans/plan-deploy-routes';
import { depId, PRODUCTION, PROJECT, productionHostnames, route } from './route-fixtures';

const OWNER = routeOwnerKey(PROJECT, PRODUCTION);

/**
 * A route made at the collision alternative (its generated hostname belonged to another project then) stays at the
 * alternative once that project lets the hostname go (e.g. an undo of its first deploy). Creating it at the freed
 * hostname instead would leave a second route of the same kind on the older deployment: two live routes, one stale.
 */
describe('a route at the collision alternative stays there when its generated hostname is free again', () => {
  it.each<[RouteSticky, string]>([
    ['live', 'shop-acme.deploy.localhost'],
    ['environment', 'shop-production-acme.deploy.localhost'],
    ['branch', 'shop-git-main-acme.deploy.localhost'],
    ['commit', 'shop-git-abcdef0-acme.deploy.localhost'],
  ])('%s route: moved at the alternative, nothing created at the freed hostname', (sticky, hostname) => {
    const alternative = collisionHostname(hostname, OWNER);
    const result = planDeployRoutes({
      hostnames: productionHostnames(depId(5)),
      projectId: PROJECT,
      environmentId: PRODUCTION,
      pinned: false,
      existing: [route(alternative, depId(3), sticky, sticky === 'branch' ? { branch: 'main' } : {})],
      customRoutes: [],
    });
    const changes = result.changes.filter((c) => c.sticky === sticky);
    expect(changes).toEqual([expect.objectContaining({ hostname: alternative, action: 'move', fromDeploymentId: depId(3), toDeploymentId: depId(5) })]);
    expect(result.changes.map((c) => c.hostname)).not.toContain(hostname);
    // Where the generated hostname holds our route, that one is used (the alternative is no preference of its own).
    const atGenerated = planDeployRoutes({
      hostnames: productionHostnames(depId(5)),
      projectId: PROJECT,
      environmentId: PRODUCTION,
      pinned: false,
      existing: [route(hostname, depId(3), sticky, sticky === 'branch' ? { branch: 'main' } : {})],
      customRoutes: [],
    });
    expect(atGenerated.changes.filter((c) => c.sticky === sticky)).toEqual([expect.objectContaining({ hostname, action: 'move' })]);
  });
});
