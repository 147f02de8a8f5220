import type { DeploymentStatus } from '../generated/prisma/client';
import type { StateWriter } from './engine-deps';

export const TERMINAL_STATUSES: DeploymentStatus[] = ['ready', 'failed', 'cancelled', 'superseded'];
export const ACTIVE_STATUSES: DeploymentStatus[] = ['pending', 'building', 'deploying', 'network'];

/**
 * Compare-and-set of a deployment's status: moves only from one of `from`, so a terminal status is never
 * overwritten and a replayed step cannot move a deployment backwards. Returns whether it moved; a move is announced.
 */
export async function transitionDeployment(
  { prisma, events }: StateWriter,
  deploymentId: string,
  from: DeploymentStatus[],
  to: DeploymentStatus,
  extra: { statusReason?: string | null; failedStep?: string | null } = {},
): Promise<boolean> {
  const { count } = await prisma.deployment.updateMany({
    where: { id: deploymentId, status: { in: from } },
    data: { status: to, ...extra },
  });
  if (count === 1) events.publish({ type: 'deployment', deploymentId, status: to });
  return count === 1;
}
