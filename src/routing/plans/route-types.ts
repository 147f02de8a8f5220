/** What a route follows; the same strings as the Prisma enum RouteSticky. */
export type RouteSticky = 'deployment' | 'commit' | 'branch' | 'environment' | 'live' | 'custom';

/** A route as it exists now (an IngressRoute row, reduced to what planning needs). */
export interface ExistingRoute {
  hostname: string;
  projectId: string;
  environmentId: string;
  deploymentId: string;
  sticky: RouteSticky;
  branch?: string | null;
}

/**
 * One planned route change.
 * - create: no route has this hostname yet.
 * - move: the route exists and will point at toDeploymentId instead of fromDeploymentId.
 * - unchanged: the route already points at toDeploymentId, so applying the plan again is a no-op.
 * - skip: deliberately left alone (pinned, a newer deployment already there, hostname owned by someone else); see reason.
 */
export interface RouteChangePlan {
  hostname: string;
  sticky: RouteSticky;
  branch?: string | null;
  action: 'create' | 'move' | 'unchanged' | 'skip';
  fromDeploymentId: string | null;
  toDeploymentId: string;
  reason?: string;
}

/** The output of build-routes: every route change of one deployment, and whether it becomes the live deployment. */
export interface RoutePlan {
  projectId: string;
  environmentId: string;
  deploymentId: string;
  changes: RouteChangePlan[];
  setLive: boolean;
  notes: string[];
}
