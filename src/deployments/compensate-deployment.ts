import type { Db } from '../db/prisma';
import type { KraneClient } from '../krane/client';

/**
 * Undoes a failed, cancelled or superseded deploy: deletes its Krane deployment unless routes already point at it (then it serves
 * traffic and must stay), marks its instances stopped and records when it was compensated. Idempotent.
 */
export async function compensateDeployment(deps: { prisma: Db; krane: KraneClient }, deploymentId: string): Promise<string> {
  const { prisma } = deps;
  const deployment = await prisma.deployment.findUnique({ where: { id: deploymentId }, include: { project: { include: { workspace: true } } } });
  if (!deployment) return 'deployment is gone: nothing to compensate';
  if (deployment.compensatedAt) return 'already compensated';
  const routed = await prisma.ingressRoute.count({ where: { deploymentId: deployment.id } });
  if (routed > 0) {
    await prisma.deployment.update({ where: { id: deployment.id }, data: { compensatedAt: new Date() } });
    return `kept: ${routed} route(s) point at the deployment`;
  }
  await deps.krane.delete(deployment.project.workspace.slug, deployment.id);
  await prisma.$transaction([
    prisma.instance.updateMany({ where: { deploymentId: deployment.id }, data: { status: 'stopped' } }),
    prisma.deployment.update({ where: { id: deployment.id }, data: { compensatedAt: new Date() } }),
  ]);
  return 'krane deployment deleted';
}
