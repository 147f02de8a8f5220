import { Prisma } from '../../generated/prisma/client';
import type { CheckedTarget } from '../../operations/switch-preconditions';
import type { ExistingRoute, RouteSticky } from './route-types';

/** A route of the switch's environment as the switch decides on it: its place, and whether a canary is on it. */
export type SwitchedRoute = ExistingRoute & { canaryDeploymentId: string | null };

export interface SwitchTargetAndRoutes {
  target: CheckedTarget | null;
  routes: SwitchedRoute[];
}

interface Read {
  id: string;
  projectId: string;
  environmentId: string;
  status: CheckedTarget['status'];
  isProduction: boolean;
  environmentSlug: string;
  routes: SwitchedRoute[] | null;
}

/**
 * A switch's target joined to its environment, and the project's routes of that environment, as one SQL expression
 * (a JSON object; null when there is no such deployment). The route change transaction reads it under the project's
 * row lock (the target's state as of its turn, the routes it moves) in the statement that checks for a replay
 * (RouteChangeRequest.readUnderLock): every statement there is a round trip while the lock is held. The routes are
 * those of the target's environment, which is production whenever the switch goes on (the checks refuse any other
 * target).
 */
export function switchTargetAndRoutesSql(projectId: string, targetDeploymentId: string): Prisma.Sql {
  return Prisma.sql`(
    SELECT json_build_object(
             'id', d."id", 'projectId', d."projectId", 'environmentId', d."environmentId", 'status', d."status"::text,
             'isProduction', e."isProduction", 'environmentSlug', e."slug",
             'routes', (SELECT json_agg(json_build_object(
                                'hostname', r."hostname", 'projectId', r."projectId", 'environmentId', r."environmentId",
                                'deploymentId', r."deploymentId", 'sticky', r."sticky"::text, 'branch', r."branch",
                                'canaryDeploymentId', r."canaryDeploymentId") ORDER BY r."hostname")
                          FROM "IngressRoute" r WHERE r."projectId" = ${projectId} AND r."environmentId" = d."environmentId"))
      FROM "Deployment" d JOIN "Environment" e ON e."id" = d."environmentId"
     WHERE d."id" = ${targetDeploymentId})`;
}

/** What switchTargetAndRoutesSql read, as the checks and the planner take it. */
export function parseSwitchTargetAndRoutes(value: unknown): SwitchTargetAndRoutes {
  const read = (typeof value === 'string' ? JSON.parse(value) : value) as Read | null;
  if (!read) return { target: null, routes: [] };
  const { environmentSlug, isProduction, routes, ...target } = read;
  return {
    target: { ...target, environment: { isProduction, slug: environmentSlug } },
    routes: (routes ?? []).map((r) => ({ ...r, sticky: r.sticky as RouteSticky })),
  };
}
