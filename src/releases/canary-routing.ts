/**
 * The one place releases reach the weighted routes: what a weight change decides inside its routing transaction.
 * The routing rules themselves (which routes get the canary, the live pointer at 100) belong to the routing code.
 */
import type { RouteDecision, RoutingTx } from '../routing/changes/route-change-types';

export interface CanaryWeightInput {
  projectId: string;
  environmentId: string;
  canaryDeploymentId: string;
  weight: number;
}

/** The route decision that serves `weight` percent of the environment's traffic from the canary (0 aborts, 100 completes). */
export async function canaryWeightDecision(_tx: RoutingTx, input: CanaryWeightInput): Promise<RouteDecision> {
  // Placeholder until the weighted routes land: decideCanaryWeight (src/routing/plans/decide-canary-weight.ts).
  return { changes: [], notes: [`canary ${input.canaryDeploymentId} at ${input.weight}%`] };
}
