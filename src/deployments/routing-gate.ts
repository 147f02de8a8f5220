import { sqlOf, type SqlHolder } from '../db/sql';
import type { Db } from '../db/prisma';
import { CancelledError, SupersededError } from '../engine/errors';

/** Passes the gate once: sets `routingStartedAt` only while neither it nor a cancel request is set. */
const ROUTING_GATE = `
  UPDATE "Deployment" SET "routingStartedAt" = $1, "updatedAt" = $1
   WHERE "id" = $2 AND "cancelRequestedAt" IS NULL AND "routingStartedAt" IS NULL
  RETURNING "id"`;

/**
 * The point of no return of a deploy (assign-routes): from here on it will be routed, so a cancel is refused. One
 * conditional update of the deployment's row, the mirror image of a cancel's and of latest wins' (which set
 * `cancelRequestedAt` only while `routingStartedAt` is null): PostgreSQL's row lock lets exactly one of them win.
 * Throws `CancelledError`, or `SupersededError` naming the newer deploy, when the other side won. Idempotent: a deploy
 * that already passed passes again. The update goes on the database's direct path when it has one (src/db/sql.ts).
 */
export async function passRoutingGate(db: SqlHolder & { prisma: Db }, deploymentId: string): Promise<void> {
  const started = await sqlOf(db).query(ROUTING_GATE, [new Date(), deploymentId]);
  if (started.length === 1) return;
  const row = await db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId }, select: { routingStartedAt: true, supersededById: true } });
  if (row.routingStartedAt) return;
  if (row.supersededById) throw new SupersededError(`deployment ${deploymentId}`, `deployment ${row.supersededById}`);
  throw new CancelledError(`deployment ${deploymentId}`);
}
