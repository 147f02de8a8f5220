import { TerminalError } from '../../errors';
import type { LiveIfRouted } from './route-change-types';

export interface LiveRoute {
  hostname: string;
  deploymentId: string;
}

/**
 * A route change would leave the live pointer and the live route apart: a live pointer with no live route (its live
 * hostname answers 404 for good), a live route on another deployment, a second live route, or a live route with nothing
 * live. Terminal: the state that produced it will produce it again; the transaction is rolled back, so it never commits.
 */
export class LiveRouteMismatchError extends TerminalError<'live_route_mismatch'> {
  constructor(projectId: string, liveDeploymentId: string | null, liveRoutes: LiveRoute[], operationKind: string) {
    super('live_route_mismatch', { projectId, liveDeploymentId, liveRoutes, operationKind }, { details: { projectId, liveDeploymentId, liveRoutes } });
  }
}

/**
 * The live pointer a decision leaves (see RouteDecision.live): `undefined` keeps `current`; an id or null is taken as
 * is; `{ ifLiveRouteOn }` is taken only if the project's single live route points at that deployment.
 */
export function resolveLivePointer(current: string | null, wanted: string | null | LiveIfRouted | undefined, liveRoutes: LiveRoute[]): string | null {
  if (wanted === undefined) return current;
  if (wanted === null || typeof wanted === 'string') return wanted;
  return liveRoutes.length === 1 && liveRoutes[0].deploymentId === wanted.ifLiveRouteOn ? wanted.ifLiveRouteOn : current;
}

/**
 * The backstop every route change passes before it commits (SPEC §4.3, "live pointer ⇔ live route"): once the changes
 * are applied, the project has exactly one live route and it points at `liveDeploymentId` when that is set, and no
 * live route at all when it is null. Whatever step produced a state that breaks it, the transaction aborts.
 */
export function assertLiveRouteMatches(projectId: string, liveDeploymentId: string | null, liveRoutes: LiveRoute[], operationKind: string): void {
  const holds = liveDeploymentId === null ? liveRoutes.length === 0 : liveRoutes.length === 1 && liveRoutes[0].deploymentId === liveDeploymentId;
  if (!holds) throw new LiveRouteMismatchError(projectId, liveDeploymentId, liveRoutes, operationKind);
}
