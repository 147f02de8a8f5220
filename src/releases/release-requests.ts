import type { Db } from '../db/prisma';
import { ConflictError, NotFoundError } from '../errors';
import { Prisma, type Release } from '../generated/prisma/client';
import { newId } from '../ids';
import { isUniqueViolation } from '../operations/operation-key';
import { releaseFigures, type EndRequest, type Tripped } from './release-record';

/** What asking for a release change needs: the database, and an enqueue for the operation it records. */
export interface ReleaseDeps {
  prisma: Db;
  enqueue(operationId: string): Promise<void>;
}

/**
 * Every weight change of a release is an operation of its own (`canary_weight`: one routing step, one RouteChange,
 * undoable), recorded under a key naming the release and the change, so that whoever asks for the same change — the
 * judge running again after a crash, the judge and an operator's advance at once — gets the one operation.
 */
function changeKey(release: Pick<Release, 'id'>, change: string): string {
  return `release:${release.id}:${change}`;
}

async function recordWeightChange(
  deps: ReleaseDeps,
  release: Release,
  change: string,
  weight: number,
  requestedBy: string,
  reason: string | null,
): Promise<{ operationId: string; existing: boolean }> {
  const idempotencyKey = changeKey(release, change);
  const operationId = newId('op');
  try {
    await deps.prisma.operation.create({
      data: {
        id: operationId,
        kind: 'canary_weight',
        projectId: release.projectId,
        deploymentId: release.canaryDeploymentId,
        sourceDeploymentId: release.stableDeploymentId,
        releaseId: release.id,
        canaryWeight: weight,
        idempotencyKey,
        requestedBy,
        reason,
      },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const earlier = await deps.prisma.operation.findUniqueOrThrow({ where: { idempotencyKey }, select: { id: true } });
    // Enqueue again: a crash between the row and its flow leaves a row without a flow (the reconciler would find it too).
    await deps.enqueue(earlier.id);
    return { operationId: earlier.id, existing: true };
  }
  await deps.enqueue(operationId);
  return { operationId, existing: false };
}

export async function loadRelease(prisma: Db, releaseId: string, projectId?: string): Promise<Release> {
  const release = await prisma.release.findFirst({ where: projectId ? { id: releaseId, projectId } : { id: releaseId } });
  if (!release) throw new NotFoundError('release', releaseId);
  return release;
}

/**
 * Moves a running release to its next stage (the judge at the end of an automatic stage, or POST …/advance). The
 * stage it leaves is named in the key, so two requests to leave the same stage are one operation.
 */
export async function requestNextStage(deps: ReleaseDeps, release: Release, requestedBy: string, reason: string | null = null) {
  if (release.state !== 'running') throw new ConflictError('release_not_running', { releaseId: release.id, state: release.state });
  const { policy, endRequested } = releaseFigures(release);
  if (endRequested) throw new ConflictError('release_ending', { releaseId: release.id, end: endRequested.kind });
  const next = release.stageIndex + 1;
  const weight = policy.stages[next]?.weight ?? 100;
  return recordWeightChange(deps, release, `stage-${next}`, weight, requestedBy, reason);
}

/**
 * Ends a running release with weight 0: the stable keeps all traffic. `abort` (the judge tripped, or POST …/abort)
 * marks the canary rolled_back when applied; `supersede` (a newer deploy or switch of the project) leaves it ready.
 * The first end asked for wins (kept on the release with what tripped it); asking again returns its operation.
 */
export async function requestEnd(
  deps: ReleaseDeps,
  release: Release,
  end: { kind: EndRequest['kind']; reason: string; requestedBy: string; tripped?: Tripped },
): Promise<{ operationId: string; existing: boolean }> {
  if (release.state !== 'running') throw new ConflictError('release_not_running', { releaseId: release.id, state: release.state });
  const request: EndRequest = { kind: end.kind, reason: end.reason };
  // Compare-and-set: of the judge, an operator and a newer deploy asking at once, the first one's reason and figures stay.
  await deps.prisma.release.updateMany({
    where: { id: release.id, state: 'running', endRequested: { equals: Prisma.DbNull } },
    data: { endRequested: request, ...(end.tripped ? { tripped: end.tripped } : {}) },
  });
  return recordWeightChange(deps, release, 'end', 0, end.requestedBy, end.reason);
}
