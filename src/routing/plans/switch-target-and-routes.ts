import type { CheckedTarget } from '../../operations/switch-preconditions';
import type { RoutingTx } from '../changes/route-change-types';
import type { ExistingRoute, RouteSticky } from './route-types';

/** A route of the switch's environment as the switch decides on it: its place, and whether a canary is on it. */
export type SwitchedRoute = ExistingRoute & { canaryDeploymentId: string | null };

interface Row {
  id: string;
  projectId: string;
  environmentId: string;
  status: CheckedTarget['status'];
  isProduction: boolean;
  environmentSlug: string;
  routes: SwitchedRoute[] | string | null;
}

/**
 * A switch's target joined to its environment, and the project's routes of that environment, in one statement: the
 * route change transaction reads both under the project's row lock (the target's state as of its turn, the routes
 * it moves), and every statement there is a round trip while the lock is held. The routes are those of the target's
 * environment, which is production whenever the switch goes on (the checks refuse any other target); none when there
 * is no such deployment.
 */
export async function readSwitchTargetAndRoutes(tx: RoutingTx, projectId: string, targetDeploymentId: string): Promise<{ target: CheckedTarget | null; routes: SwitchedRoute[] }> {
  const [row] = await tx.$queryRaw<Row[]>`
    SELECT d."id", d."projectId", d."environmentId", d."status"::text AS "status", e."isProduction", e."slug" AS "environmentSlug",
           (SELECT json_agg(json_build_object(
                     'hostname', r."hostname", 'projectId', r."projectId", 'environmentId', r."environmentId", 'deploymentId', r."deploymentId",
                     'sticky', r."sticky"::text, 'branch', r."branch", 'canaryDeploymentId', r."canaryDeploymentId") ORDER BY r."hostname")
              FROM "IngressRoute" r WHERE r."projectId" = ${projectId} AND r."environmentId" = d."environmentId") AS "routes"
      FROM "Deployment" d JOIN "Environment" e ON e."id" = d."environmentId"
     WHERE d."id" = ${targetDeploymentId}`;
  if (!row) return { target: null, routes: [] };
  const { environmentSlug, isProduction, routes, ...target } = row;
  const parsed = typeof routes === 'string' ? (JSON.parse(routes) as SwitchedRoute[]) : (routes ?? []);
  return { target: { ...target, environment: { isProduction, slug: environmentSlug } }, routes: parsed.map((r) => ({ ...r, sticky: r.sticky as RouteSticky })) };
}
