import type { Job } from 'bullmq';
import type { EngineDeps } from './engine-deps';
import type { OperationJobData, StepResult } from './job-data';
import { finishOperation } from './operation-state';

/** The root job of a flow runs once every step succeeded: the operation has succeeded. */
export async function completeOperation(deps: EngineDeps, job: Job<OperationJobData>): Promise<Record<string, unknown>> {
  const values = (await job.getChildrenValues()) as Record<string, StepResult | undefined>;
  const outputs: Record<string, unknown> = {};
  for (const value of Object.values(values)) Object.assign(outputs, value?.outputs ?? {});
  const result: Record<string, unknown> = { kind: job.data.kind, deploymentId: job.data.deploymentId ?? null };
  if (job.data.deploymentId) {
    const d = await deps.prisma.deployment.findUnique({ where: { id: job.data.deploymentId }, select: { status: true } });
    result.status = d?.status ?? null;
  }
  const project = await deps.prisma.project.findUnique({ where: { id: job.data.projectId }, select: { liveDeploymentId: true, isRolledBack: true } });
  result.liveDeploymentId = project?.liveDeploymentId ?? null;
  result.pinned = project?.isRolledBack ?? false;
  await finishOperation(deps.prisma, job.data.operationId, 'succeeded', { result });
  deps.logger.info('operation succeeded', { operationId: job.data.operationId, kind: job.data.kind });
  return result;
}
