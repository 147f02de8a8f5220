import type { Db } from '../db/prisma';
import type { Operation } from '../generated/prisma/client';
import { newId } from '../ids';
import type { Caller } from './caller';
import { isUniqueViolation, operationForKey, operationIdempotencyKey, requestHash } from './operation-key';
import { resolveProject } from './resolve-project';
import { CheckedSwitch, judgeSwitchTarget } from './switch-preconditions';
import type { EnqueueOperation } from './enqueue-operation';
import { readAndRecordSwitch } from './switch-request-record';
import type { SwitchRequest } from './switch-request';

/**
 * Rollback or promote: the checks that can be answered at once are (404 / 409 / 422 via typed errors), then the
 * operation is recorded and its flow enqueued. The flow checks again when it runs (Krane instances, current state).
 */
export async function requestSwitch(
  deps: { prisma: Db; enqueue: EnqueueOperation },
  caller: Caller,
  request: SwitchRequest,
  idempotencyKey?: string,
): Promise<{ operationId: string; existing: boolean }> {
  const { prisma } = deps;
  const opKey = idempotencyKey ? operationIdempotencyKey(caller.workspaceId, request.kind, idempotencyKey) : undefined;
  const hash = requestHash(request.kind, request);
  const earlier = await findByKey(prisma, opKey, hash);
  if (earlier) return earlier;
  // The caller's project and the target read, and the operation recorded where they pass the checks, in one
  // statement; the project is judged first (404), then the target, as before.
  const operationId = newId('op');
  // What the operation records of the request, whichever insert records it.
  const requested = {
    kind: request.kind,
    deploymentId: request.targetDeploymentId,
    sourceDeploymentId: request.expectedSourceDeploymentId ?? null,
    reason: request.reason ?? null,
    requestedBy: caller.requestedBy,
    requestId: caller.requestId ?? null,
  };
  const values = { id: operationId, ...requested, idempotencyKey: opKey ?? null, requestHash: opKey ? hash : null };
  const { project, target: read, operation } = await readAndRecordSwitch(prisma, caller.workspaceId, request.projectId, values, request.expectedSourceDeploymentId);
  let target: CheckedSwitch;
  try {
    target = judgeSwitchTarget(project, read, { ...request, projectId: project.id }, true);
  } catch (err) {
    // The statement's conditions mirror the judge, so this never finds a row; if they ever drifted, a refused request
    // still changes nothing.
    if (operation) await prisma.operation.deleteMany({ where: { id: operationId } });
    throw err;
  }
  // What the operation's jobs are named after (operationSubject's `<project>/<environment>`), from the rows just read.
  const subject = `${project.slug}/${target.environmentSlug}`;
  // check-instances asks Krane with the project's namespace at once instead of reading it first, on the switch's path
  // to traffic.
  const known = { namespace: project.namespace };
  if (operation) {
    await deps.enqueue(operationId, { operation, subject, data: known });
    return { operationId, existing: false };
  }
  // Not recorded by the statement (its idempotency key taken meanwhile): recorded, or the winner found, as before.
  return createAndEnqueue(deps, opKey, hash, subject, known, { ...requested, projectId: project.id });
}

async function findByKey(prisma: Db, opKey: string | undefined, hash: string): Promise<{ operationId: string; existing: true } | undefined> {
  const earlier = await operationForKey(prisma, opKey, hash);
  return earlier ? { operationId: earlier.id, existing: true } : undefined;
}

/** Inserts the operation (its key unique: a concurrent twin finds the winner's operation) and enqueues its flow. */
async function createAndEnqueue(
  deps: { prisma: Db; enqueue: EnqueueOperation },
  opKey: string | undefined,
  hash: string,
  subject: string | undefined,
  jobData: Record<string, unknown> | undefined,
  data: { kind: 'rollback' | 'promote' | 'undo'; projectId: string; deploymentId?: string; sourceDeploymentId?: string | null; reason: string | null; requestedBy: string; requestId?: string | null },
): Promise<{ operationId: string; existing: boolean }> {
  const operationId = newId('op');
  let operation: Operation;
  try {
    operation = await deps.prisma.operation.create({ data: { id: operationId, ...data, idempotencyKey: opKey, requestHash: opKey ? hash : null } });
  } catch (err) {
    const winner = isUniqueViolation(err) ? await findByKey(deps.prisma, opKey, hash) : undefined;
    if (winner) return winner;
    throw err;
  }
  await deps.enqueue(operationId, { operation, subject, data: jobData });
  return { operationId, existing: false };
}

/** Undo: re-apply the project's last route change in reverse, through the routing queue. */
export async function requestUndo(
  deps: { prisma: Db; enqueue: EnqueueOperation },
  caller: Caller,
  projectIdOrSlug: string,
  reason?: string,
  idempotencyKey?: string,
): Promise<{ operationId: string; existing: boolean }> {
  const opKey = idempotencyKey ? operationIdempotencyKey(caller.workspaceId, 'undo', idempotencyKey) : undefined;
  const hash = requestHash('undo', { projectIdOrSlug, reason });
  const earlier = await findByKey(deps.prisma, opKey, hash);
  if (earlier) return earlier;
  const project = await resolveProject(deps.prisma, caller.workspaceId, projectIdOrSlug);
  return createAndEnqueue(deps, opKey, hash, undefined, undefined, { kind: 'undo', projectId: project.id, requestedBy: caller.requestedBy, requestId: caller.requestId ?? null, reason: reason ?? null });
}
