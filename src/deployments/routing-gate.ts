import type { Db } from '../db/prisma';
import { CancelledError, SupersededError } from '../engine/errors';

/**
 * The point of no return of a deploy (assign-routes): from here on it will be routed, so a cancel is refused. One
 * conditional update of the deployment's row, the mirror image of a cancel's and of latest wins' (which set
 * `cancelRequestedAt` only while `routingStartedAt` is null): PostgreSQL's row lock lets exactly one of them win.
 * Throws `CancelledError`, or `SupersededError` naming the newer deploy, when the other side won. Idempotent: a deploy
 * that already passed passes again.
 */
export async function passRoutingGate(prisma: Db, deploymentId: string): Promise<void> {
  const started = await prisma.deployment.updateMany({
    where: { id: deploymentId, cancelRequestedAt: null, routingStartedAt: null },
    data: { routingStartedAt: new Date() },
  });
  if (started.count === 1) return;
  const row = await prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId }, select: { routingStartedAt: true, supersededById: true } });
  if (row.routingStartedAt) return;
  if (row.supersededById) throw new SupersededError(`deployment ${deploymentId}`, `deployment ${row.supersededById}`);
  throw new CancelledError(`deployment ${deploymentId}`);
}
