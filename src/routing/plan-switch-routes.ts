import type { ExistingRoute, RouteChangePlan, RouteSticky } from './route-types';

export interface PlanSwitchRoutesInput {
  kind: 'rollback' | 'promote';
  projectId: string;
  productionEnvironmentId: string;
  targetDeploymentId: string;
  /** The routes of the production environment; anything else passed in is ignored. */
  routes: ExistingRoute[];
}

// The routes that say "this is what production serves"; deployment, commit and branch routes name one build and never switch.
const SWITCHED: readonly RouteSticky[] = ['environment', 'live', 'custom'];

/**
 * The route changes of a rollback or promote (SPEC §3.2, §3.3): every live, environment and custom route of the
 * production environment points at the target. No "newer" check: a rollback moves to an older deployment on purpose.
 * Routes already there are `unchanged` (so a confirm-promote moves nothing). Ordered environment, live, custom, then by hostname.
 */
export function planSwitchRoutes(input: PlanSwitchRoutesInput): RouteChangePlan[] {
  const target = input.targetDeploymentId;
  const relevant = new Map<string, ExistingRoute>();
  for (const route of input.routes) {
    if (route.projectId !== input.projectId || route.environmentId !== input.productionEnvironmentId) continue;
    if (!SWITCHED.includes(route.sticky)) continue;
    relevant.set(route.hostname, route);
  }
  return [...relevant.values()]
    .sort((a, b) => SWITCHED.indexOf(a.sticky) - SWITCHED.indexOf(b.sticky) || (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0))
    .map((route) => ({
      hostname: route.hostname,
      sticky: route.sticky,
      ...(route.branch === undefined ? {} : { branch: route.branch }),
      action: route.deploymentId === target ? ('unchanged' as const) : ('move' as const),
      fromDeploymentId: route.deploymentId,
      toDeploymentId: target,
      ...(route.deploymentId === target ? {} : { reason: `${input.kind} to ${target}` }),
    }));
}
