import type { Db } from '../db/prisma';
import type { Operation } from '../generated/prisma/client';
import { ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import type { EnqueueOperation } from './enqueue-operation';
import { isFinished } from '../statuses';
import type { Caller } from './caller';
import type { DeployRequest } from './deploy-request';
import { isUniqueViolation, operationForKey, operationIdempotencyKey, requestHash } from './operation-key';
import { resolveProject } from './resolve-project';

export interface CreatedDeploy {
  deploymentId: string;
  operationId: string;
  /** True when the idempotency key matched an earlier request: nothing new was created. */
  existing: boolean;
}

/**
 * Creates the `pending` deployment and its deploy operation in one transaction, then enqueues the flow, handing it the
 * operation row and the subject (`<project>/<environment>`, read here anyway): four reads less on every deploy request.
 * A crash between the commit and the enqueue is healed by the reconciler (it enqueues queued operations without a flow).
 */
export async function createDeploy(
  deps: { prisma: Db; enqueue: EnqueueOperation },
  caller: Caller,
  request: DeployRequest,
  idempotencyKey?: string,
): Promise<CreatedDeploy> {
  const { prisma } = deps;
  const opKey = idempotencyKey ? operationIdempotencyKey(caller.workspaceId, 'deploy', idempotencyKey) : undefined;
  const hash = requestHash('deploy', request);
  const earlier = await operationForKey(prisma, opKey, hash);
  if (earlier) return { deploymentId: earlier.deploymentId!, operationId: earlier.id, existing: true };
  const project = await resolveProject(prisma, caller.workspaceId, request.projectId);
  const environment = await prisma.environment.findUnique({ where: { projectId_slug: { projectId: project.id, slug: request.environment } } });
  if (!environment) throw new NotFoundError('environment', request.environment);

  const deploymentId = newId('dep');
  const operationId = newId('op');
  let operation: Operation;
  try {
    [, operation] = await prisma.$transaction([
      prisma.deployment.create({
        select: { id: true },
        data: {
          id: deploymentId,
          projectId: project.id,
          environmentId: environment.id,
          image: request.image,
          gitBranch: request.git.branch ?? null,
          gitCommitSha: request.git.commitSha ?? null,
          gitMessage: request.git.message ?? null,
          gitAuthor: request.git.author ?? null,
          replicas: request.runtime.replicas,
          cpuMillicores: request.runtime.cpuMillicores,
          memoryMib: request.runtime.memoryMib,
          port: request.runtime.port,
          healthCheckPath: request.runtime.healthCheckPath,
          openapiPath: request.runtime.openapiPath,
          envVars: request.runtime.env,
        },
      }),
      prisma.operation.create({
        data: { id: operationId, kind: 'deploy', projectId: project.id, deploymentId, requestedBy: caller.requestedBy, requestId: caller.requestId ?? null, idempotencyKey: opKey, requestHash: opKey ? hash : null },
      }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err) && opKey) {
      const winner = await operationForKey(prisma, opKey, hash);
      if (winner) return { deploymentId: winner.deploymentId!, operationId: winner.id, existing: true };
    }
    throw err;
  }
  await deps.enqueue(operationId, { operation, subject: `${project.slug}/${environment.slug}` });
  return { deploymentId, operationId, existing: false };
}

/** Starts the flow of an existing pending deployment (gRPC Deploy): idempotent, a second call does nothing. */
export async function startPendingDeploy(
  deps: { prisma: Db; enqueue(operationId: string): Promise<void> },
  caller: Caller,
  deploymentId: string,
): Promise<{ operationId: string; existing: boolean }> {
  const { prisma } = deps;
  const deployment = await prisma.deployment.findFirst({ where: { id: deploymentId, project: { workspaceId: caller.workspaceId } } });
  if (!deployment) throw new NotFoundError('deployment', deploymentId);
  const existing = async () => {
    const earlier = await prisma.operation.findFirst({ where: { deploymentId, kind: 'deploy' }, orderBy: { createdAt: 'asc' } });
    if (!earlier) return undefined;
    // Enqueue again only while unfinished (a lost flow is healed); a finished deploy is never run twice.
    if (!isFinished(earlier)) await deps.enqueue(earlier.id);
    return { operationId: earlier.id, existing: true };
  };
  const earlier = await existing();
  if (earlier) return earlier;
  if (deployment.status !== 'pending') throw new ConflictError('deployment_not_pending', { deploymentId, status: deployment.status });
  const operationId = newId('op');
  try {
    await prisma.operation.create({
      data: { id: operationId, kind: 'deploy', projectId: deployment.projectId, deploymentId, requestedBy: caller.requestedBy, idempotencyKey: `deploy-once:${deploymentId}` },
    });
  } catch (err) {
    // A concurrent call for the same deployment won the unique key: that one starts the flow.
    const winner = isUniqueViolation(err) ? await existing() : undefined;
    if (winner) return winner;
    throw err;
  }
  await deps.enqueue(operationId);
  return { operationId, existing: false };
}
