import type { Job } from 'bullmq';
import type { EngineDeps } from './engine-deps';
import type { OperationJobData } from './job-data';
import { finishOperation } from './operation-state';

/** What a succeeded operation records as its result: where the deployment and the project stand now. */
export async function operationOutcome(deps: EngineDeps, data: OperationJobData): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { kind: data.kind, deploymentId: data.deploymentId ?? null };
  if (data.deploymentId) {
    const d = await deps.prisma.deployment.findUnique({ where: { id: data.deploymentId }, select: { status: true } });
    result.status = d?.status ?? null;
  }
  const project = await deps.prisma.project.findUnique({ where: { id: data.projectId }, select: { liveDeploymentId: true, isRolledBack: true } });
  result.liveDeploymentId = project?.liveDeploymentId ?? null;
  result.pinned = project?.isRolledBack ?? false;
  return result;
}

/** The root job of a flow runs once every step succeeded: the operation has succeeded. */
export async function completeOperation(deps: EngineDeps, job: Job<OperationJobData>): Promise<Record<string, unknown>> {
  const result = await operationOutcome(deps, job.data);
  await finishOperation(deps, job.data.operationId, 'succeeded', { result });
  deps.logger.info('operation succeeded', { operationId: job.data.operationId, kind: job.data.kind });
  return result;
}
