import type { Db } from '../db/prisma';
import { newId } from '../ids';
import type { Caller } from './caller';
import { resolveProject } from './resolve-project';
import { checkSwitchPreconditions } from './switch-preconditions';
import type { SwitchRequest } from './switch-request';

/**
 * Rollback or promote: the checks that can be answered at once are (404 / 409 / 422 via typed errors), then the
 * operation is recorded and its flow enqueued. The flow checks again when it runs (Krane instances, current state).
 */
export async function requestSwitch(
  deps: { prisma: Db; enqueue(operationId: string): Promise<void> },
  caller: Caller,
  request: SwitchRequest,
  idempotencyKey?: string,
): Promise<{ operationId: string; existing: boolean }> {
  const { prisma } = deps;
  const opKey = idempotencyKey ? `${caller.workspaceId}:${request.kind}:${idempotencyKey}` : undefined;
  if (opKey) {
    const earlier = await prisma.operation.findUnique({ where: { idempotencyKey: opKey } });
    if (earlier) return { operationId: earlier.id, existing: true };
  }
  const project = await resolveProject(prisma, caller.workspaceId, request.projectId);
  await checkSwitchPreconditions(prisma, { ...request, projectId: project.id }, true);
  const operationId = newId('op');
  await prisma.operation.create({
    data: {
      id: operationId,
      kind: request.kind,
      projectId: project.id,
      deploymentId: request.targetDeploymentId,
      sourceDeploymentId: request.expectedSourceDeploymentId ?? null,
      reason: request.reason ?? null,
      requestedBy: caller.requestedBy,
      idempotencyKey: opKey,
    },
  });
  await deps.enqueue(operationId);
  return { operationId, existing: false };
}

/** Undo: re-apply the project's last route change in reverse, through the routing queue. */
export async function requestUndo(
  deps: { prisma: Db; enqueue(operationId: string): Promise<void> },
  caller: Caller,
  projectIdOrSlug: string,
  reason?: string,
): Promise<{ operationId: string }> {
  const project = await resolveProject(deps.prisma, caller.workspaceId, projectIdOrSlug);
  const operationId = newId('op');
  await deps.prisma.operation.create({
    data: { id: operationId, kind: 'undo', projectId: project.id, requestedBy: caller.requestedBy, reason: reason ?? null },
  });
  await deps.enqueue(operationId);
  return { operationId };
}
