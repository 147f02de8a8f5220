import type { Db } from '../db/prisma';
import type { FlowFailure } from '../engine/define-flow';
import { ACTIVE_STATUSES } from '../statuses';
import { transitionDeployment, type DeploymentWriter } from './deployment-status';

/** `deployment <id>` when a cancel was requested for it (POST /v1/deployments/:id/cancel), else undefined. */
export async function deploymentCancelRequested(prisma: Db, deploymentId: string): Promise<string | undefined> {
  const row = await prisma.deployment.findUnique({ where: { id: deploymentId }, select: { cancelRequestedAt: true } });
  return row?.cancelRequestedAt ? `deployment ${deploymentId}` : undefined;
}

/** A deploy ended for good: its deployment `failed` (with the step and why) or `cancelled`, only from an active status. */
export async function recordDeployFailure(writer: DeploymentWriter, deploymentId: string, failure: FlowFailure): Promise<void> {
  await transitionDeployment(writer, deploymentId, ACTIVE_STATUSES, failure.cancelled ? 'cancelled' : 'failed', {
    failedStep: failure.cancelled ? null : failure.step,
    statusReason: failure.cancelled ? 'cancelled on request' : `${failure.step}: ${failure.message}`,
  });
}

/** A deploy rolled forward after its route change: traffic follows it, so it is ready whatever failed after. */
export async function recordDeployRolledForward(writer: DeploymentWriter, deploymentId: string): Promise<void> {
  await transitionDeployment(writer, deploymentId, ['network'], 'ready', { statusReason: null });
}
