import type { Db } from '../db/prisma';
import { ConflictError, NotFoundError } from '../errors';
import type { Caller } from './caller';

export interface CancelOutcome {
  deploymentId: string;
  operationId: string | null;
  cancelRequestedAt: Date;
  /** True when a cancel had been requested before (a repeated call changes nothing). */
  alreadyRequested: boolean;
}

/**
 * Requests cancellation of a deploy (SPEC §5): sets a flag in the database that every step checks, each poll included,
 * so it works from any process. Allowed until assign-routes starts — that step takes the same row in one atomic
 * update, so exactly one of "cancel" and "route" wins. The flow then stops at its next check, compensates and ends
 * `cancelled`.
 */
export async function cancelDeployment(prisma: Db, caller: Caller, deploymentId: string): Promise<CancelOutcome> {
  const deployment = await prisma.deployment.findFirst({ where: { id: deploymentId, project: { workspaceId: caller.workspaceId } } });
  if (!deployment) throw new NotFoundError('deployment', deploymentId);
  const operation = await prisma.operation.findFirst({ where: { deploymentId, kind: 'deploy' }, orderBy: { createdAt: 'asc' }, select: { id: true } });
  const now = new Date();
  const { count } = await prisma.deployment.updateMany({
    where: { id: deploymentId, cancelRequestedAt: null, routingStartedAt: null, status: { in: ['pending', 'building', 'deploying', 'network'] } },
    data: { cancelRequestedAt: now },
  });
  if (count === 1) return { deploymentId, operationId: operation?.id ?? null, cancelRequestedAt: now, alreadyRequested: false };

  const current = await prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
  if (current.cancelRequestedAt && !current.routingStartedAt && current.status !== 'ready') {
    return { deploymentId, operationId: operation?.id ?? null, cancelRequestedAt: current.cancelRequestedAt, alreadyRequested: true };
  }
  if (current.routingStartedAt) {
    throw new ConflictError('too_late_to_cancel', `deployment ${deploymentId} is already being routed (assign-routes started); roll back or promote another deployment instead`);
  }
  throw new ConflictError('deployment_finished', `deployment ${deploymentId} is already ${current.status}`);
}
