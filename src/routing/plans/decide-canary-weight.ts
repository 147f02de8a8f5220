import { UnprocessableError } from '../../errors';
import type { AppliedRoute, RouteCanary, RouteDecision, RoutingTx } from '../changes/route-change-types';
import type { RouteSticky } from './route-types';

export interface CanaryWeightInput {
  projectId: string;
  environmentId: string;
  canaryDeploymentId: string;
  /** Percent of the hostnames' new clients that go to the canary: 0 aborts, 1-99 splits, 100 completes. */
  weight: number;
}

/** A weight that is not a whole percent: a caller's bug, the same on every attempt. */
export class InvalidCanaryWeightError extends UnprocessableError<'invalid_canary_weight'> {
  constructor(weight: unknown) {
    super('invalid_canary_weight', { weight });
  }
}

/** A canary that cannot take traffic on these routes: missing, of another project or environment, or not ready. */
export class CanaryNotEligibleError extends UnprocessableError<'canary_not_eligible'> {
  constructor(deploymentId: string, problem: 'not_found' | 'other_project' | 'other_environment' | 'not_ready', status?: string) {
    super('canary_not_eligible', { deploymentId, problem, ...(status === undefined ? {} : { status }) });
  }
}

// The routes that say "this is what the environment serves" (the same ones a rollback or promote switches);
// deployment, commit and branch routes name one build and never carry a canary.
const WEIGHTED: RouteSticky[] = ['environment', 'live', 'custom'];

function canaryOf(route: { canaryDeploymentId: string | null; canaryWeight: number }): RouteCanary | null {
  return route.canaryDeploymentId === null ? null : { deploymentId: route.canaryDeploymentId, weight: route.canaryWeight };
}

/**
 * The route changes of a canary weight change, decided inside the routing transaction (a `set-canary-weight` routing
 * step), over every live, environment and custom route of the environment:
 * - 1..99: each route keeps its deployment (the stable side) and gets the canary at `weight` percent; a route already
 *   on the canary itself has nothing to split and is left alone. The live pointer does not move.
 * - 100 (complete): each route moves to the canary entirely (canary cleared, weight 0); in production the live
 *   pointer follows the live route onto the canary (`ifLiveRouteOn`, so the live-route invariant holds whatever the
 *   routes were).
 * - 0 (abort): the canary is cleared from the routes that carry it; the stable side and the live pointer stay.
 * Each change names the canary it expects (`canaryFrom`), so it is applied only on the route as it was decided, and
 * an undo puts the previous weight back. Aborting needs the canary to be of this project and environment only: taking
 * traffic away from a deployment is always allowed, whatever became of it meanwhile.
 */
export async function decideCanaryWeight(tx: RoutingTx, input: CanaryWeightInput): Promise<RouteDecision> {
  const { weight, canaryDeploymentId: canary } = input;
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) throw new InvalidCanaryWeightError(weight);
  const deployment = await tx.deployment.findUnique({ where: { id: canary }, select: { projectId: true, environmentId: true, status: true } });
  if (!deployment) throw new CanaryNotEligibleError(canary, 'not_found');
  if (deployment.projectId !== input.projectId) throw new CanaryNotEligibleError(canary, 'other_project');
  if (deployment.environmentId !== input.environmentId) throw new CanaryNotEligibleError(canary, 'other_environment');
  if (weight > 0 && deployment.status !== 'ready') throw new CanaryNotEligibleError(canary, 'not_ready', deployment.status);

  const environment = await tx.environment.findUniqueOrThrow({ where: { id: input.environmentId }, select: { isProduction: true } });
  const routes = await tx.ingressRoute.findMany({
    where: { projectId: input.projectId, environmentId: input.environmentId, sticky: { in: WEIGHTED } },
    orderBy: { hostname: 'asc' },
  });
  const changes: AppliedRoute[] = [];
  const notes: string[] = [];
  for (const route of routes) {
    const before = canaryOf(route);
    const base = { hostname: route.hostname, sticky: route.sticky, environmentId: route.environmentId, branch: route.branch, fromDeploymentId: route.deploymentId, canaryFrom: before };
    if (weight === 0) {
      if (before?.deploymentId === canary) changes.push({ ...base, toDeploymentId: route.deploymentId, canaryTo: null });
    } else if (weight === 100) {
      if (route.deploymentId !== canary || before !== null) changes.push({ ...base, toDeploymentId: canary, canaryTo: null });
    } else if (route.deploymentId === canary) {
      notes.push(`${route.sticky} route ${route.hostname} is on the canary itself: nothing to split`);
    } else if (before?.deploymentId !== canary || before.weight !== weight) {
      changes.push({ ...base, toDeploymentId: route.deploymentId, canaryTo: { deploymentId: canary, weight } });
    }
  }
  const what = weight === 0 ? 'aborted: canary cleared' : weight === 100 ? 'completed: routes moved to the canary' : `canary at ${weight}%`;
  notes.unshift(`canary ${canary} ${what} on ${changes.length} route(s)`);
  return { changes, notes, ...(weight === 100 && environment.isProduction ? { live: { ifLiveRouteOn: canary } } : {}) };
}
