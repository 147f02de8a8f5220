import type { Release } from '../generated/prisma/client';
import { ConflictError } from '../errors';
import { newId } from '../ids';
import type { RouteDecision, RoutingTx } from '../routing/changes/route-change-types';
import { canaryWeightDecision } from './canary-routing';
import { appendReleaseEvent } from './release-events';
import type { PolicySnapshot } from './release-policy';
import { releaseFigures, type EndRequest, type Figures, type StageRecord } from './release-record';

/** The figures of the stage a weight change closes, measured just before its transaction (see set-canary-weight). */
export interface ClosedStageFigures {
  fromMs: number;
  toMs: number;
  canary: Figures | null;
  stable: Figures | null;
}

/**
 * A weight change of a release, decided inside its routing transaction (the project's row lock is held): the routes
 * (the routing code's decision for the weight), the Release row and the canary's event, all in one commit. A change
 * that no longer applies (the release ended, or moved past the stage this change was asked to leave) is refused and
 * nothing is written.
 */
export async function decideReleaseWeight(
  tx: RoutingTx,
  releaseId: string,
  weight: number,
  closed: ClosedStageFigures | undefined,
): Promise<{ decision: RouteDecision; release: Release }> {
  const release = await tx.release.findUniqueOrThrow({ where: { id: releaseId } });
  if (release.state !== 'running') throw new ConflictError('release_not_running', { releaseId, state: release.state });
  const { policy, endRequested } = releaseFigures(release);
  if (weight > 0) {
    const target = policy.stages.findIndex((s) => s.weight === weight);
    if (target !== release.stageIndex + 1) throw new ConflictError('release_moved_on', { releaseId, stage: release.stageIndex, wanted: Math.max(target - 1, 0) });
    return applyReleaseWeight(tx, release, { weight, stageIndex: target, closed });
  }
  return applyReleaseWeight(tx, release, { weight: 0, stageIndex: release.stageIndex, closed, end: endRequested ?? { kind: 'abort', reason: 'aborted' } });
}

/**
 * Ends the environment's running release, if any, inside another routing transaction: a newer production deploy,
 * a rollback or a promote of the project supersedes it (the canary stays ready: it was not judged bad). Only the
 * release is written here, not the routes: the caller's own change takes the canary off them, as a plain change
 * (a deploy taking live, a switch) clears the canary of every route it moves, and a new release's first weight
 * replaces it. (Changes decided in one transaction all read the routes as they were, so a separate clearing change
 * here would make theirs look "changed meanwhile".)
 */
export async function supersedeRunningRelease(tx: RoutingTx, projectId: string, environmentId: string, reason: string): Promise<RouteDecision | undefined> {
  const running = await tx.release.findFirst({ where: { projectId, environmentId, state: 'running' } });
  if (!running) return undefined;
  const { decision } = await applyReleaseWeight(tx, running, { weight: 0, stageIndex: running.stageIndex, closed: undefined, end: { kind: 'supersede', reason }, routes: false });
  return decision;
}

async function applyReleaseWeight(
  tx: RoutingTx,
  release: Release,
  change: { weight: number; stageIndex: number; closed: ClosedStageFigures | undefined; end?: EndRequest; routes?: boolean },
): Promise<{ decision: RouteDecision; release: Release }> {
  const { policy, stages } = releaseFigures(release);
  const { weight, stageIndex, closed, end } = change;
  const now = new Date();
  const decision: RouteDecision =
    change.routes === false
      ? { changes: [], notes: [] }
      : await canaryWeightDecision(tx, { projectId: release.projectId, environmentId: release.environmentId, canaryDeploymentId: release.canaryDeploymentId, weight });
  const record: StageRecord = {
    stage: release.stageIndex,
    weight: release.weight,
    startedAt: release.stageStartedAt.toISOString(),
    endedAt: now.toISOString(),
    canary: closed?.canary ?? null,
    stable: closed?.stable ?? null,
  };
  const state = weight === 100 ? 'completed' : weight === 0 ? (end?.kind === 'supersede' ? 'superseded' : 'aborted') : 'running';
  const endReason = weight === 100 ? 'completed: the canary is live' : weight === 0 ? (end?.reason ?? 'aborted') : null;
  const updated = await tx.release.update({
    where: { id: release.id },
    data: {
      stageIndex,
      weight,
      stageStartedAt: now,
      awaitingAdvance: false,
      stages: [...stages, record],
      state,
      ...(state !== 'running' ? { endedAt: now, endReason } : {}),
    },
  });
  if (state === 'aborted') {
    // The canary tripped (or an operator aborted it): it is never switched to again. The one terminal-to-terminal move.
    await tx.deployment.updateMany({
      where: { id: release.canaryDeploymentId, status: 'ready' },
      data: { status: 'rolled_back', statusReason: `release ${release.id}: ${endReason}` },
    });
  }
  await appendReleaseEvent(tx, release.canaryDeploymentId, { releaseId: release.id, state, stage: stageIndex, stages: policy.stages.length, weight, reason: endReason });
  const what = state === 'running' ? `release ${release.id}: stage ${stageIndex + 1}/${policy.stages.length}, canary at ${weight}%` : `release ${release.id} ${state} (${endReason})`;
  return { decision: { ...decision, notes: [...decision.notes, what] }, release: updated };
}

/**
 * Starts a release inside a production deploy's routing transaction: the canary at the first stage's weight (the
 * stable keeps its live routes and the live pointer), the Release row and its operation (the judge), which the
 * deploy's update-live enqueues once committed (and the reconciler, should that be lost).
 */
export async function startReleaseInTx(
  tx: RoutingTx,
  start: { projectId: string; environmentId: string; stableDeploymentId: string; canaryDeploymentId: string; policy: PolicySnapshot; requestedBy: string; deployOperationId: string },
): Promise<{ decision: RouteDecision; release: Release }> {
  const releaseId = newId('rel');
  const operationId = newId('op');
  const weight = start.policy.stages[0].weight;
  await tx.operation.create({
    data: {
      id: operationId,
      kind: 'release',
      projectId: start.projectId,
      deploymentId: start.canaryDeploymentId,
      sourceDeploymentId: start.stableDeploymentId,
      releaseId,
      requestedBy: start.requestedBy,
      idempotencyKey: `release:${start.deployOperationId}`,
    },
  });
  const release = await tx.release.create({
    data: {
      id: releaseId,
      projectId: start.projectId,
      environmentId: start.environmentId,
      stableDeploymentId: start.stableDeploymentId,
      canaryDeploymentId: start.canaryDeploymentId,
      operationId,
      policy: start.policy as object,
      weight,
    },
  });
  // The deploy ends ready at its first stage: ready now, in the transaction that gives it traffic (only a ready
  // deployment may take a canary's share; set-ready then finds it ready, as a replay would).
  await tx.deployment.updateMany({ where: { id: start.canaryDeploymentId, status: 'network' }, data: { status: 'ready', statusReason: null } });
  const decision = await canaryWeightDecision(tx, { projectId: start.projectId, environmentId: start.environmentId, canaryDeploymentId: start.canaryDeploymentId, weight });
  await appendReleaseEvent(tx, start.canaryDeploymentId, { releaseId, state: 'running', stage: 0, stages: start.policy.stages.length, weight, reason: null });
  return { decision: { ...decision, notes: [...decision.notes, `release ${releaseId} started: canary at ${weight}% (stage 1/${start.policy.stages.length}), ${start.stableDeploymentId} stays live`] }, release };
}

/** Two decisions as one change, `first`'s changes applied first. */
export function mergeDecisions(first: RouteDecision | undefined, then: RouteDecision): RouteDecision {
  if (!first) return then;
  return { ...first, ...then, changes: [...first.changes, ...then.changes], notes: [...first.notes, ...then.notes], live: then.live ?? first.live, pin: then.pin ?? first.pin };
}
