import type { Db } from '../db/prisma';
import { ConflictError, NotFoundError } from '../errors';
import type { Deployment } from '../generated/prisma/client';
import { CANCELLABLE_STATUSES, isCancellableStatus } from '../statuses';
import type { Caller } from './caller';

export interface CancelOutcome {
  deploymentId: string;
  operationId: string | null;
  cancelRequestedAt: Date;
  /** True when a cancel had been requested before (a repeated call changes nothing). */
  alreadyRequested: boolean;
}

type CancelState = Pick<Deployment, 'id' | 'status' | 'routingStartedAt' | 'cancelRequestedAt'>;

/**
 * What a cancel of this deployment would meet: `refused` with the conflict to report, `requested` when a cancel is
 * already pending, or `allowed`. Shared by cancelDeployment and the bulk script's dry run.
 */
export function cancelVerdict(d: CancelState): { kind: 'allowed' } | { kind: 'requested'; at: Date } | { kind: 'refused'; error: ConflictError<'deployment_finished' | 'too_late_to_cancel'> } {
  // A deploy that ended cancelled because a cancel was requested: a repeat of that request (a client's retry, a second
  // click) is answered as the repeat it is, whether it comes before or after the flow stopped, not with a conflict.
  if (d.status === 'cancelled' && d.cancelRequestedAt) return { kind: 'requested', at: d.cancelRequestedAt };
  if (!isCancellableStatus(d.status)) {
    return { kind: 'refused', error: new ConflictError('deployment_finished', { deploymentId: d.id, status: d.status }) };
  }
  if (d.routingStartedAt) {
    return {
      kind: 'refused',
      error: new ConflictError('too_late_to_cancel', { deploymentId: d.id }),
    };
  }
  return d.cancelRequestedAt ? { kind: 'requested', at: d.cancelRequestedAt } : { kind: 'allowed' };
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
    where: { id: deploymentId, cancelRequestedAt: null, routingStartedAt: null, status: { in: CANCELLABLE_STATUSES } },
    data: { cancelRequestedAt: now },
  });
  if (count === 1) return { deploymentId, operationId: operation?.id ?? null, cancelRequestedAt: now, alreadyRequested: false };

  const verdict = cancelVerdict(await prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } }));
  if (verdict.kind === 'refused') throw verdict.error;
  if (verdict.kind === 'requested') return { deploymentId, operationId: operation?.id ?? null, cancelRequestedAt: verdict.at, alreadyRequested: true };
  // Lost a race with a concurrent change and the row is cancellable again: unreachable in practice, but say so plainly.
  throw new ConflictError('cancel_conflict', { deploymentId });
}
