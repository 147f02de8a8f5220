import { planDeployRoutes, type PlanDeployRoutesInput } from './plan-deploy-routes';
import type { ExistingRoute, RouteChangePlan, RouteSticky } from './route-types';

export interface PlanSwitchRoutesInput {
  kind: 'rollback' | 'promote';
  projectId: string;
  productionEnvironmentId: string;
  targetDeploymentId: string;
  /** The routes of the production environment; anything else passed in is ignored. */
  routes: ExistingRoute[];
  /**
   * What a deploy of the target would plan from (deployPlanInput, facts read now): where production has no environment or live
   * route, the switch creates it exactly where a deploy would, with the same hostname and collision rules. Needed only
   * then (see missingProductionRoutes), so the usual switch does not load it.
   */
  target?: PlanDeployRoutesInput;
}

// The routes that say "this is what production serves"; deployment, commit and branch routes name one build and never switch.
const SWITCHED: readonly RouteSticky[] = ['environment', 'live', 'custom'];
// The ones production always has once something is live: a switch makes them when they are missing.
const ENSURED: readonly RouteSticky[] = ['environment', 'live'];

const byStickyThenHostname = (a: { sticky: RouteSticky; hostname: string }, b: { sticky: RouteSticky; hostname: string }) =>
  SWITCHED.indexOf(a.sticky) - SWITCHED.indexOf(b.sticky) || (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0);

/** Production's live, environment and custom routes of the project, by hostname. */
function switchedRoutes(input: Pick<PlanSwitchRoutesInput, 'projectId' | 'productionEnvironmentId' | 'routes'>): Map<string, ExistingRoute> {
  const relevant = new Map<string, ExistingRoute>();
  for (const route of input.routes) {
    if (route.projectId !== input.projectId || route.environmentId !== input.productionEnvironmentId) continue;
    if (!SWITCHED.includes(route.sticky)) continue;
    relevant.set(route.hostname, route);
  }
  return relevant;
}

/** The environment and live routes production lacks: the ones a switch must create (and needs `target` for). */
export function missingProductionRoutes(input: Pick<PlanSwitchRoutesInput, 'projectId' | 'productionEnvironmentId' | 'routes'>): RouteSticky[] {
  const present = [...switchedRoutes(input).values()].map((r) => r.sticky);
  return ENSURED.filter((sticky) => !present.includes(sticky));
}

/**
 * The route changes of a rollback or promote (SPEC §3.2, §3.3): every live, environment and custom route of the
 * production environment points at the target. No "newer" check: a rollback moves to an older deployment on purpose.
 * Routes already there are `unchanged` (so a confirm-promote moves nothing).
 *
 * Production may have no environment or live route at all (an undo removed the routes of the first deploy): then the
 * target gets them as a deploy would (`create`, at the generated hostname or its collision alternative), or a `skip`
 * saying why not (both hostnames belong to someone else). The live pointer and the live route must never part, so the
 * caller refuses a switch whose live route is skipped.
 * Ordered environment, live, custom, then by hostname.
 */
export function planSwitchRoutes(input: PlanSwitchRoutesInput): RouteChangePlan[] {
  const target = input.targetDeploymentId;
  const relevant = switchedRoutes(input);
  const moves: RouteChangePlan[] = [...relevant.values()].map((route) => ({
    hostname: route.hostname,
    sticky: route.sticky,
    ...(route.branch === undefined ? {} : { branch: route.branch }),
    action: route.deploymentId === target ? ('unchanged' as const) : ('move' as const),
    fromDeploymentId: route.deploymentId,
    toDeploymentId: target,
    ...(route.deploymentId === target ? {} : { reason: `${input.kind} to ${target}` }),
  }));

  const missing = missingProductionRoutes(input);
  if (missing.length === 0) return moves.sort(byStickyThenHostname);
  if (!input.target) throw new Error(`planSwitchRoutes: production has no ${missing.join(' or ')} route and no target input was given to create it`);
  // The deploy planner decides the hostnames; the pin does not hold a switch back (the switch is what sets or clears it).
  const asDeployed = planDeployRoutes({ ...input.target, pinned: false });
  const creates = missing.flatMap((sticky) =>
    asDeployed.changes
      .filter((c) => c.sticky === sticky)
      .map((c): RouteChangePlan => {
        const reason = `${input.kind} to ${target}: production had no ${sticky} route`;
        return c.action === 'skip' ? { ...c, reason: `${reason}; ${c.reason ?? 'skipped'}` } : { ...c, reason: c.reason ? `${reason}; ${c.reason}` : reason };
      }),
  );
  return [...moves, ...creates].sort(byStickyThenHostname);
}
