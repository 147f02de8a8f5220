import type { EngineDeps } from './engine-deps';
import { COMPENSATE_STEP } from './step-names';
import { stepJobId } from './queue-names';

export interface CompensationJobData {
  deploymentId: string;
  operationId: string;
}

/** Enqueues the deletion of a failed or cancelled deploy's Krane deployment (deterministic id: once per deploy). */
export async function enqueueCompensation(deps: EngineDeps, deploymentId: string, operationId: string): Promise<void> {
  await deps.queues.steps.add(
    COMPENSATE_STEP,
    { deploymentId, operationId } satisfies CompensationJobData,
    {
      jobId: stepJobId(operationId, COMPENSATE_STEP),
      attempts: 20,
      backoff: { type: 'exponential', delay: deps.settings.backoffMs },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  );
}

/**
 * Deletes the Krane deployment unless routes already point at the deployment (then it serves traffic and must stay),
 * marks its instances stopped and records when it was compensated. Idempotent.
 */
export async function compensate(deps: EngineDeps, data: CompensationJobData): Promise<string> {
  const { prisma } = deps;
  const deployment = await prisma.deployment.findUnique({
    where: { id: data.deploymentId },
    include: { project: { include: { workspace: true } } },
  });
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
