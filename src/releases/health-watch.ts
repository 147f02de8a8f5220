import type { RoutingTx } from '../routing/changes/route-change-types';
import { newId } from '../ids';
import { loadPolicy } from './release-policy';

/** The idempotency key of the health watch a switch records: one per switch. */
export function healthWatchKey(switchOperationId: string): string {
  return `health-watch:${switchOperationId}`;
}

/**
 * Records a health watch inside the routing transaction of a plain switch that made `deploymentId` live in place of
 * `previousDeploymentId` (a production deploy taking live at once, or a promote), when the environment's policy asks
 * for one (`healthWatchSeconds`). Recorded with the switch, so it exists exactly when the switch committed; the
 * switch's later step (or its outcome) enqueues it, and the reconciler would find it too.
 */
export async function recordHealthWatchInTx(
  tx: RoutingTx,
  watch: { projectId: string; environmentId: string; deploymentId: string; previousDeploymentId: string | null; switchOperationId: string; requestedBy: string },
  // The environment policy's healthWatchSeconds when the caller read it already in this transaction (null: no watch
  // or no policy); undefined: read here.
  healthWatchSeconds?: number | null,
): Promise<string | undefined> {
  if (!watch.previousDeploymentId || watch.previousDeploymentId === watch.deploymentId) return undefined;
  const seconds = healthWatchSeconds === undefined ? (await loadPolicy(tx, watch.environmentId))?.healthWatchSeconds : healthWatchSeconds;
  if (!seconds) return undefined;
  const id = newId('op');
  await tx.operation.create({
    data: {
      id,
      kind: 'health_watch',
      projectId: watch.projectId,
      deploymentId: watch.deploymentId,
      sourceDeploymentId: watch.previousDeploymentId,
      healthWatchSeconds: seconds,
      requestedBy: watch.requestedBy,
      idempotencyKey: healthWatchKey(watch.switchOperationId),
    },
  });
  return id;
}

/** The health watch a switch recorded, if any (to enqueue it once the switch committed). */
export async function healthWatchOf(prisma: Pick<RoutingTx, 'operation'>, switchOperationId: string): Promise<{ id: string; state: string } | null> {
  return prisma.operation.findUnique({ where: { idempotencyKey: healthWatchKey(switchOperationId) }, select: { id: true, state: true } });
}
