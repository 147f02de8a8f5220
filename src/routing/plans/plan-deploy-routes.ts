import { collisionHostname, generatedHostnames, type GeneratedHostname, type HostnameInput } from '../hostnames/hostnames';
import type { ExistingRoute, RouteChangePlan, RoutePlan, RouteSticky } from './route-types';

export interface PlanDeployRoutesInput {
  hostnames: HostnameInput;
  projectId: string;
  environmentId: string;
  /** The project is pinned by a rollback: production deploys keep their hands off live, environment and custom routes. */
  pinned: boolean;
  /** Every route that exists under the generated hostnames and under their collision alternatives (see routeLookupHostnames). */
  existing: ExistingRoute[];
  /** The environment's custom routes. */
  customRoutes: ExistingRoute[];
}

/** Who a generated hostname is for; the collision alternative is derived from it, so it is stable per environment. */
export function routeOwnerKey(projectId: string, environmentId: string): string {
  return `${projectId}/${environmentId}`;
}

/** The hostnames whose current routes planDeployRoutes needs in `existing`: every generated hostname and its alternative. */
export function routeLookupHostnames(input: Pick<PlanDeployRoutesInput, 'hostnames' | 'projectId' | 'environmentId'>): string[] {
  const owner = routeOwnerKey(input.projectId, input.environmentId);
  return generatedHostnames(input.hostnames).flatMap((g) => [g.hostname, collisionHostname(g.hostname, owner)]);
}

const PINNED_REASON = 'project is rolled back (pinned)';

/**
 * Which routes a deployment gets and which existing routes move to it (SPEC §4.1, §4.2). Pure: the same input gives the
 * same plan, and a plan computed again after it was applied consists of `unchanged` (and the same `skip`) entries only.
 *
 * - deployment route: created, or unchanged if it is already there.
 * - commit and branch routes: move here unless a newer deployment holds them; the pin does not matter.
 * - environment, live (production only) and custom routes: skipped while a production project is pinned; otherwise move
 *   here unless a newer deployment is already live on them.
 * - a generated hostname held by another project or environment (or by another kind of route, or already used by an
 *   earlier route of this plan) is never taken over: the stable collision alternative is used instead and a note says so;
 *   if that one is taken too, the route is skipped.
 * - a route this project and environment already has at the alternative stays there, even once the generated hostname is
 *   free again: one route per kind, at a hostname that does not change under its users.
 * - setLive: production, not pinned, and the live route ends on this deployment (created, moved or already there). A live
 *   route skipped for any reason (a newer deployment is live, its hostname and the alternative are both taken) means the
 *   deployment does not become live: the live pointer and the live route never part.
 */
export function planDeployRoutes(input: PlanDeployRoutesInput): RoutePlan {
  const { projectId, environmentId } = input;
  const deploymentId = input.hostnames.deploymentId;
  const isProduction = input.hostnames.isProduction;
  const holdsLiveRoutes = isProduction && input.pinned;
  const owner = routeOwnerKey(projectId, environmentId);

  const routesByHostname = new Map<string, ExistingRoute>();
  for (const route of [...input.existing, ...input.customRoutes]) routesByHostname.set(route.hostname, route);
  // Hostnames this plan already decided about, with the sticky that holds each: one hostname, one route.
  const claimed = new Map<string, RouteSticky>();
  const changes: RouteChangePlan[] = [];
  const notes: string[] = [];
  // What happens to the live route; the deployment becomes live only where its live route ends on it.
  let liveRouteAction: RouteChangePlan['action'] = 'skip';

  const takenBecause = (hostname: string, wanted: GeneratedHostname): string | null => {
    const claimedBy = claimed.get(hostname);
    if (claimedBy !== undefined) return `is already planned for the ${claimedBy} route`;
    const route = routesByHostname.get(hostname);
    if (!route) return null;
    if (route.projectId !== projectId) return 'belongs to another project';
    if (route.environmentId !== environmentId) return 'belongs to another environment';
    if (route.sticky !== wanted.sticky) return `is a ${route.sticky} route`;
    if (wanted.sticky === 'deployment' && route.deploymentId !== deploymentId) {
      return `is the deployment route of ${route.deploymentId}`;
    }
    return null;
  };

  // Our own route of this kind sits at the alternative hostname (and no earlier route of this plan claimed it).
  const ownsAlternative = (alternative: string, wanted: GeneratedHostname): boolean =>
    routesByHostname.has(alternative) && takenBecause(alternative, wanted) === null;

  const decide = (
    base: Pick<RouteChangePlan, 'hostname' | 'sticky' | 'branch'>,
    current: ExistingRoute | undefined,
    rule: { pinned: boolean; newerReason: (id: string) => string },
  ): RouteChangePlan => {
    const fromDeploymentId = current?.deploymentId ?? null;
    const change = (action: RouteChangePlan['action'], reason?: string): RouteChangePlan => ({
      ...base,
      action,
      fromDeploymentId,
      toDeploymentId: deploymentId,
      ...(reason === undefined ? {} : { reason }),
    });
    if (rule.pinned) return change('skip', PINNED_REASON);
    if (!current) return change('create');
    if (current.deploymentId === deploymentId) return change('unchanged');
    if (current.deploymentId > deploymentId) return change('skip', rule.newerReason(current.deploymentId));
    return change('move');
  };

  const routed = (id: string) => `newer deployment ${id} already routed here`;
  const live = (id: string) => `newer deployment ${id} already live`;

  for (const wanted of generatedHostnames(input.hostnames)) {
    const base = { sticky: wanted.sticky, ...(wanted.branch === undefined ? {} : { branch: wanted.branch }) };
    let hostname = wanted.hostname;
    let alternativeReason: string | undefined;
    const alternative = collisionHostname(hostname, owner);
    const taken = takenBecause(hostname, wanted);
    if (taken === null && !routesByHostname.has(hostname) && ownsAlternative(alternative, wanted)) {
      // The route already lives at the alternative (its hostname was taken when it was made, and has been freed since):
      // it stays there. Creating it at the freed hostname would leave a second route of this kind on an older deployment.
      hostname = alternative;
      alternativeReason = `keeps ${alternative}, where this ${wanted.sticky} route already is`;
    } else if (taken !== null) {
      const alternativeTaken = takenBecause(alternative, wanted);
      if (alternativeTaken !== null) {
        changes.push({
          hostname,
          ...base,
          action: 'skip',
          fromDeploymentId: null,
          toDeploymentId: deploymentId,
          reason: `${hostname} ${taken} and its alternative ${alternative} ${alternativeTaken}`,
        });
        continue;
      }
      alternativeReason = `${hostname} ${taken}; using ${alternative}`;
      notes.push(`${wanted.sticky} route: ${alternativeReason}`);
      hostname = alternative;
    }
    claimed.set(hostname, wanted.sticky);
    const current = routesByHostname.get(hostname);

    // Environment and live routes say what the environment serves: the pin holds them. Deployment, commit and branch
    // routes name one build, so a pinned project's new deployment still gets them.
    const followsEnvironment = wanted.sticky === 'environment' || wanted.sticky === 'live';
    const planned = decide({ hostname, ...base }, current, {
      pinned: followsEnvironment && holdsLiveRoutes,
      newerReason: followsEnvironment ? live : routed,
    });
    if (wanted.sticky === 'live') liveRouteAction = planned.action;
    if (alternativeReason !== undefined && planned.reason === undefined) planned.reason = alternativeReason;
    if (
      wanted.sticky === 'branch' &&
      current?.branch != null &&
      current.branch !== wanted.branch &&
      planned.action === 'move'
    ) {
      notes.push(`branch route ${hostname}: branch ${JSON.stringify(current.branch)} and ${JSON.stringify(wanted.branch)} share a slug; it follows ${JSON.stringify(wanted.branch)} now`);
    }
    changes.push(planned);
  }

  const customRoutes = [...new Map(input.customRoutes.map((r) => [r.hostname, r])).values()].sort((a, b) =>
    a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0,
  );
  for (const route of customRoutes) {
    if (route.sticky !== 'custom' || route.projectId !== projectId || route.environmentId !== environmentId) {
      notes.push(`ignored ${route.hostname}: not a custom route of this environment`);
      continue;
    }
    const base = { hostname: route.hostname, sticky: 'custom' as const, ...(route.branch === undefined ? {} : { branch: route.branch }) };
    const claimedBy = claimed.get(route.hostname);
    if (claimedBy !== undefined) {
      changes.push({
        ...base,
        action: 'skip',
        fromDeploymentId: route.deploymentId,
        toDeploymentId: deploymentId,
        reason: `${route.hostname} is already planned for the ${claimedBy} route`,
      });
      continue;
    }
    claimed.set(route.hostname, 'custom');
    changes.push(decide(base, route, { pinned: holdsLiveRoutes, newerReason: live }));
  }

  return {
    projectId,
    environmentId,
    deploymentId,
    changes,
    setLive: isProduction && !input.pinned && liveRouteAction !== 'skip',
    notes,
  };
}
