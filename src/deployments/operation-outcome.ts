import type { Db } from '../db/prisma';

/** What a succeeded operation records as its result: where the deployment and the project stand now. */
export async function operationOutcome(
  prisma: Db,
  data: { kind: string; projectId: string; deploymentId?: string },
): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { kind: data.kind, deploymentId: data.deploymentId ?? null };
  if (data.deploymentId) {
    const d = await prisma.deployment.findUnique({ where: { id: data.deploymentId }, select: { status: true } });
    result.status = d?.status ?? null;
  }
  const project = await prisma.project.findUnique({ where: { id: data.projectId }, select: { liveDeploymentId: true, isRolledBack: true } });
  result.liveDeploymentId = project?.liveDeploymentId ?? null;
  result.pinned = project?.isRolledBack ?? false;
  return result;
}
