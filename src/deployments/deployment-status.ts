import type { Db } from '../db/prisma';
import type { DeploymentStatus } from '../generated/prisma/client';

/**
 * Compare-and-set of a deployment's status: moves only from one of `from`, so a terminal status is never
 * overwritten and a replayed step cannot move a deployment backwards. Returns whether it moved.
 */
export async function transitionDeployment(
  prisma: Db,
  deploymentId: string,
  from: DeploymentStatus[],
  to: DeploymentStatus,
  extra: { statusReason?: string | null; failedStep?: string | null } = {},
): Promise<boolean> {
  const { count } = await prisma.deployment.updateMany({
    where: { id: deploymentId, status: { in: from } },
    data: { status: to, ...extra },
  });
  return count === 1;
}
