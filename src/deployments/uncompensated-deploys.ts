import type { Db } from '../db/prisma';
import { COMPENSABLE_STATUSES } from '../statuses';

const BATCH = 100;

/**
 * Failed or cancelled deploys whose compensation never finished (its job failed for good, or was lost), older than
 * `cutoff`: the deploy operation of each, so its compensation can be queued again.
 */
export async function uncompensatedDeploys(prisma: Db, cutoff: Date): Promise<{ deploymentId: string; operationId: string }[]> {
  const deployments = await prisma.deployment.findMany({
    where: { status: { in: COMPENSABLE_STATUSES }, compensatedAt: null, updatedAt: { lt: cutoff } },
    take: BATCH,
    select: { id: true },
  });
  const found: { deploymentId: string; operationId: string }[] = [];
  for (const d of deployments) {
    const op = await prisma.operation.findFirst({ where: { deploymentId: d.id, kind: 'deploy' }, orderBy: { createdAt: 'asc' }, select: { id: true } });
    if (op) found.push({ deploymentId: d.id, operationId: op.id });
  }
  return found;
}
