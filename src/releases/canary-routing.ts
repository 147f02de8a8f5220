/**
 * The one place releases reach the weighted routes: what a weight change decides inside its routing transaction.
 * The routing rules themselves (which routes get the canary, the live pointer at 100) belong to the routing code.
 */
import type { RouteDecision, RoutingTx } from '../routing/changes/route-change-types';
import { decideCanaryWeight, type CanaryWeightInput } from '../routing/plans/decide-canary-weight';

export type { CanaryWeightInput };

/** The route decision that serves `weight` percent of the environment's traffic from the canary (0 aborts, 100 completes). */
export function canaryWeightDecision(tx: RoutingTx, input: CanaryWeightInput): Promise<RouteDecision> {
  return decideCanaryWeight(tx, input);
}
