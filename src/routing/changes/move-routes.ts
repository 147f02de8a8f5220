import { Prisma } from '../../generated/prisma/client';
import type { AppliedRoute, RoutingTx } from './route-change-types';

/** A plain move: an existing route's stable side moves, whatever canary it has is cleared (and recorded for undo). */
export type PlainMove = AppliedRoute & { fromDeploymentId: string; toDeploymentId: string; canaryFrom?: undefined; canaryTo?: undefined };

export function isPlainMove(change: AppliedRoute): change is PlainMove {
  return change.fromDeploymentId !== null && change.toDeploymentId !== null && change.canaryFrom === undefined && change.canaryTo === undefined;
}

interface MovedRow {
  hostname: string;
  canaryDeploymentId: string | null;
  canaryWeight: number;
}

/**
 * Every plain move of a route change in one statement, however many routes it moves (a switch moves the live, the
 * environment and every custom hostname): each route moves only if it is still where its change expects it (its
 * project, environment and stable deployment), and the canary it had is read under the same row lock (`FOR UPDATE` in
 * the `old` CTE: the UPDATE's RETURNING sees only the new values) so that the change records it in `canaryFrom` and an
 * undo puts it back. Returns the changes as applied, in their order; a change whose route was not found is left out.
 */
export async function moveRoutes(tx: RoutingTx, projectId: string, moves: PlainMove[]): Promise<Map<string, AppliedRoute>> {
  const applied = new Map<string, AppliedRoute>();
  if (moves.length === 0) return applied;
  const wanted = Prisma.join(moves.map((m) => Prisma.sql`(${m.hostname}, ${m.environmentId}, ${m.fromDeploymentId}, ${m.toDeploymentId})`));
  const rows = await tx.$queryRaw<MovedRow[]>`
    WITH "wanted" ("hostname", "environmentId", "fromId", "toId") AS (VALUES ${wanted}),
         "old" AS (
           SELECT r."id", r."hostname", r."canaryDeploymentId", r."canaryWeight", w."toId"
             FROM "IngressRoute" r JOIN "wanted" w
               ON r."hostname" = w."hostname" AND r."environmentId" = w."environmentId" AND r."deploymentId" = w."fromId"
            WHERE r."projectId" = ${projectId}
              FOR UPDATE OF r)
    UPDATE "IngressRoute" r
       SET "deploymentId" = "old"."toId", "canaryDeploymentId" = NULL, "canaryWeight" = 0, "updatedAt" = (now() AT TIME ZONE 'UTC')
      FROM "old"
     WHERE r."id" = "old"."id"
    RETURNING r."hostname", "old"."canaryDeploymentId", "old"."canaryWeight"`;
  const byHostname = new Map(rows.map((r) => [r.hostname, r]));
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
