import { Prisma } from '../../generated/prisma/client';
import type { CheckedTarget } from '../../operations/switch-preconditions';
import type { ExistingRoute, RouteSticky } from './route-types';

/** A route of the switch's environment as the switch decides on it: its place, and whether a canary is on it. */
export type SwitchedRoute = ExistingRoute & { canaryDeploymentId: string | null };

/** What switch-routes reads of its operation: the request's fields, fixed once the operation is recorded. */
export interface SwitchRequestFields {
  sourceDeploymentId: string | null;
  requestedBy: string;
  reason: string | null;
}

export interface SwitchUnderLock {
  request: SwitchRequestFields;
  target: CheckedTarget | null;
  routes: SwitchedRoute[];
  /** The target environment's release policy's healthWatchSeconds (null: none, or no policy): a promote's watch. */
  healthWatchSeconds: number | null;
}

interface TargetRead {
  id: string;
  projectId: string;
  environmentId: string;
  status: CheckedTarget['status'];
  isProduction: boolean;
  environmentSlug: string;
  routes: SwitchedRoute[] | null;
  healthWatchSeconds: number | null;
}

/**
 * Everything a switch decides on, as one SQL expression (a JSON object): its operation's request fields, its target
 * joined to its environment (null when there is no such deployment), the project's routes of that environment, and
 * the environment policy's health watch (a promote records one).
 * The route change transaction reads it under the project's row lock (the target's state as of its turn, the routes it
 * moves) in the statement that checks for a replay (RouteChangeRequest.readUnderLock), so none of it costs a round
 * trip of its own: neither while the lock is held nor while the turn is taken. The routes are those of the target's
 * environment, which is production whenever the switch goes on (the checks refuse any other target).
 */
export function switchUnderLockSql(operationId: string, projectId: string, targetDeploymentId: string): Prisma.Sql {
  return Prisma.sql`json_build_object(
    'request', (SELECT json_build_object('sourceDeploymentId', o."sourceDeploymentId", 'requestedBy', o."requestedBy", 'reason', o."reason")
                  FROM "Operation" o WHERE o."id" = ${operationId}),
    'target', (
      SELECT json_build_object(
               'id', d."id", 'projectId', d."projectId", 'environmentId', d."environmentId", 'status', d."status"::text,
               'isProduction', e."isProduction", 'environmentSlug', e."slug",
               'routes', (SELECT json_agg(json_build_object(
                                  'hostname', r."hostname", 'projectId', r."projectId", 'environmentId', r."environmentId",
                                  'deploymentId', r."deploymentId", 'sticky', r."sticky"::text, 'branch', r."branch",
                                  'canaryDeploymentId', r."canaryDeploymentId") ORDER BY r."hostname")
                            FROM "IngressRoute" r WHERE r."projectId" = ${projectId} AND r."environmentId" = d."environmentId"),
               'healthWatchSeconds', (SELECT p."healthWatchSeconds" FROM "ReleasePolicy" p WHERE p."environmentId" = d."environmentId"))
        FROM "Deployment" d JOIN "Environment" e ON e."id" = d."environmentId"
       WHERE d."id" = ${targetDeploymentId}))`;
}

/** What switchUnderLockSql read, as the checks and the planner take it. */
export function parseSwitchUnderLock(operationId: string, value: unknown): SwitchUnderLock {
  const read = (typeof value === 'string' ? JSON.parse(value) : value) as { request: SwitchRequestFields | null; target: TargetRead | null };
  // The operation is recorded before its flow is added: a switch without one is a bug, not a state to decide on.
  if (!read.request) throw new Error(`switch-routes: operation ${operationId} not found`);
  if (!read.target) return { request: read.request, target: null, routes: [], healthWatchSeconds: null };
  const { environmentSlug, isProduction, routes, healthWatchSeconds, ...target } = read.target;
  return {
    request: read.request,
    healthWatchSeconds,
    target: { ...target, environment: { isProduction, slug: environmentSlug } },
    routes: (routes ?? []).map((r) => ({ ...r, sticky: r.sticky as RouteSticky })),
  };
}
