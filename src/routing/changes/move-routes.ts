import { Prisma } from '../../generated/prisma/client';
import { newId } from '../../ids';
import type { AppliedRoute, RoutingTx } from './route-change-types';

/** A plain move: an existing route's stable side moves, whatever canary it has is cleared (and recorded for undo). */
export type PlainMove = AppliedRoute & { fromDeploymentId: string; toDeploymentId: string; canaryFrom?: undefined; canaryTo?: undefined };

export function isPlainMove(change: AppliedRoute): change is PlainMove {
  return change.fromDeploymentId !== null && change.toDeploymentId !== null && change.canaryFrom === undefined && change.canaryTo === undefined;
}

/** A plain create: a new route at a hostname, with no canary. */
export type PlainCreate = AppliedRoute & { fromDeploymentId: null; toDeploymentId: string; canaryFrom?: undefined; canaryTo?: undefined };

export function isPlainCreate(change: AppliedRoute): change is PlainCreate {
  return change.fromDeploymentId === null && change.toDeploymentId !== null && change.canaryFrom === undefined && change.canaryTo === undefined;
}

interface MovedRow {
  hostname: string;
  canaryDeploymentId: string | null;
  canaryWeight: number;
}

/**
 * The `created` CTE of moveRoutes: every plain create as one INSERT, `ON CONFLICT DO NOTHING` (a hostname another
 * project took meanwhile is never clobbered, and the transaction survives), as `createMany ... skipDuplicates` did.
 */
function createdCte(projectId: string, creates: PlainCreate[]): Prisma.Sql {
  const at = Prisma.sql`(now() AT TIME ZONE 'UTC')`;
  const rows = Prisma.join(
    creates.map(
      (c) =>
        Prisma.sql`(${newId('rt')}, ${c.hostname}, ${projectId}, ${c.environmentId}, ${c.toDeploymentId}, ${c.sticky}::"RouteSticky", ${c.branch ?? null}::text, NULL, 0, ${at}, ${at})`,
    ),
  );
  return Prisma.sql`"created" AS (
    INSERT INTO "IngressRoute" ("id", "hostname", "projectId", "environmentId", "deploymentId", "sticky", "branch", "canaryDeploymentId", "canaryWeight", "createdAt", "updatedAt")
    VALUES ${rows}
    ON CONFLICT DO NOTHING
    RETURNING "hostname")`;
}

/**
 * Every plain move of a route change, and every plain create (`creates`), in one statement, however many routes it moves (a switch moves the live, the
 * environment and every custom hostname): each route moves only if it is still where its change expects it (its
 * project, environment and stable deployment), and the canary it had is read under the same row lock (`FOR UPDATE` in
 * the `old` CTE: the UPDATE's RETURNING sees only the new values) so that the change records it in `canaryFrom` and an
 * undo puts it back. Returns the changes as applied, in their order; a change whose route was not found is left out.
 */
export async function moveRoutes(tx: RoutingTx, projectId: string, moves: PlainMove[], creates: PlainCreate[] = []): Promise<Map<string, AppliedRoute>> {
  const applied = new Map<string, AppliedRoute>();
  if (moves.length === 0 && creates.length === 0) return applied;
  // An empty VALUES list is not SQL: without moves, one row that matches no route.
  const wanted = moves.length
    ? Prisma.join(moves.map((m) => Prisma.sql`(${m.hostname}, ${m.environmentId}, ${m.fromDeploymentId}, ${m.toDeploymentId})`))
    : Prisma.sql`(NULL::text, NULL::text, NULL::text, NULL::text)`;
  const created = creates.length ? Prisma.sql`, ${createdCte(projectId, creates)}` : Prisma.empty;
  const rows = await tx.$queryRaw<MovedRow[]>`
    WITH "wanted" ("hostname", "environmentId", "fromId", "toId") AS (VALUES ${wanted})${created},
         "old" AS (
           SELECT r."id", r."hostname", r."canaryDeploymentId", r."canaryWeight", w."toId"
             FROM "IngressRoute" r JOIN "wanted" w
               ON r."hostname" = w."hostname" AND r."environmentId" = w."environmentId" AND r."deploymentId" = w."fromId"
            WHERE r."projectId" = ${projectId}
              FOR UPDATE OF r),
         "moved" AS (
           UPDATE "IngressRoute" r
              SET "deploymentId" = "old"."toId", "canaryDeploymentId" = NULL, "canaryWeight" = 0, "updatedAt" = (now() AT TIME ZONE 'UTC')
             FROM "old"
            WHERE r."id" = "old"."id"
           RETURNING r."hostname", "old"."canaryDeploymentId", "old"."canaryWeight")
    SELECT "hostname", "canaryDeploymentId", "canaryWeight" FROM "moved"
    ${creates.length ? Prisma.sql`UNION ALL SELECT "hostname", NULL, 0 FROM "created"` : Prisma.empty}`;
  const byHostname = new Map(rows.map((r) => [r.hostname, r]));
  for (const create of creates) if (byHostname.has(create.hostname)) applied.set(create.hostname, create);
  for (const move of moves) {
    const row = byHostname.get(move.hostname);
    if (!row) continue;
    applied.set(
      move.hostname,
      row.canaryDeploymentId === null ? move : { ...move, canaryFrom: { deploymentId: row.canaryDeploymentId, weight: row.canaryWeight }, canaryTo: null },
    );
  }
  return applied;
}
