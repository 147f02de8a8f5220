import { Prisma } from '../../generated/prisma/client';
import type { LiveRoute } from './live-route-invariant';
import type { LiveIfRouted, PinState, RoutingTx, StoredRouteChange } from './route-change-types';

export interface RouteChangeRow {
  id: string;
  operationId: string;
  projectId: string;
  sequence: number;
  stored: StoredRouteChange;
  liveFrom: string | null;
  /** The live pointer asked for (RouteDecision.live); undefined keeps `liveFrom`. */
  live: string | null | LiveIfRouted | undefined;
  pin: PinState | undefined;
}

interface RecordedRow {
  liveTo: string | null;
  liveRoutes: LiveRoute[] | string | null;
}

/** The pointer expression: `{ ifLiveRouteOn }` is taken only where the project's single live route points at it. */
function liveToSql(row: RouteChangeRow): Prisma.Sql {
  const { live, liveFrom } = row;
  if (live === undefined) return Prisma.sql`${liveFrom}::text`;
  if (live === null || typeof live === 'string') return Prisma.sql`${live}::text`;
  return Prisma.sql`CASE WHEN (SELECT count(*) FROM "live") = 1 AND (SELECT "deploymentId" FROM "live" LIMIT 1) = ${live.ifLiveRouteOn}::text
                         THEN ${live.ifLiveRouteOn}::text ELSE ${liveFrom}::text END`;
}

function pinSql(pin: PinState | undefined): Prisma.Sql {
  if (!pin) return Prisma.empty;
  // Prisma keeps DateTime as timestamp(3) in UTC.
  return Prisma.sql`, "isRolledBack" = ${pin.isRolledBack}::boolean,
    "rolledBackAt" = (${pin.rolledBackAt?.toISOString() ?? null}::timestamptz AT TIME ZONE 'UTC'),
    "rolledBackBy" = ${pin.rolledBackBy}::text, "rollbackReason" = ${pin.rollbackReason}::text,
    "rolledBackFromDeploymentId" = ${pin.rolledBackFromDeploymentId}::text`;
}

/**
 * The end of a route change, in one statement (one round trip while the project's row lock is held): reads the
 * project's live routes as the transaction's own changes left them, sets the live pointer (and the pin), and inserts
 * the RouteChange row. Returns the live pointer it set and the live routes, which the caller checks against each other
 * (assertLiveRouteMatches) before it commits: a mismatch throws and the whole transaction, these writes included, rolls
 * back. (Every data-modifying CTE runs to completion whether or not the final SELECT reads it; the `live` CTE sees the
 * snapshot the statement started with, which holds this transaction's earlier writes and none of this statement's.)
 */
export async function recordRouteChange(tx: RoutingTx, row: RouteChangeRow): Promise<{ liveTo: string | null; liveRoutes: LiveRoute[] }> {
  const [recorded] = await tx.$queryRaw<RecordedRow[]>`
    WITH "live" AS (
           SELECT "hostname", "deploymentId" FROM "IngressRoute" WHERE "projectId" = ${row.projectId} AND "sticky" = 'live'),
         "pointer" AS (SELECT ${liveToSql(row)} AS "liveTo"),
         "project" AS (
           UPDATE "Project" SET "liveDeploymentId" = (SELECT "liveTo" FROM "pointer"), "updatedAt" = (now() AT TIME ZONE 'UTC') ${pinSql(row.pin)}
            WHERE "id" = ${row.projectId}
           RETURNING "id"),
         "change" AS (
           INSERT INTO "RouteChange" ("id", "operationId", "projectId", "sequence", "changes", "liveFrom", "liveTo")
           SELECT ${row.id}, ${row.operationId}, ${row.projectId}, ${row.sequence}::integer, ${JSON.stringify(row.stored)}::jsonb, ${row.liveFrom}::text, "liveTo"
             FROM "pointer"
           RETURNING "id")
    SELECT (SELECT "liveTo" FROM "pointer") AS "liveTo",
           (SELECT json_agg(json_build_object('hostname', "hostname", 'deploymentId', "deploymentId") ORDER BY "hostname") FROM "live") AS "liveRoutes"`;
  const routes = typeof recorded.liveRoutes === 'string' ? (JSON.parse(recorded.liveRoutes) as LiveRoute[]) : (recorded.liveRoutes ?? []);
  return { liveTo: recorded.liveTo, liveRoutes: routes };
}
