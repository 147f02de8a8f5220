import type { LockedProject, RouteDecision, RoutingTx } from '../routing/changes/route-change-types';
import type { RoutePlan } from '../routing/plans/route-types';
import { recordHealthWatchInTx } from './health-watch';
import { isStaged, loadPolicy } from './release-policy';
import { startReleaseInTx, supersedeRunningRelease } from './release-transitions';

/** The routes a release leaves on the stable: those the live pointer's deployment serves (SPEC §4.1 "like live"). */
export const RELEASED_STICKIES: ReadonlySet<string> = new Set(['live', 'environment', 'custom']);

export interface DeployReleaseDecision {
  /** The running release this deploy ends (applied before the deploy's own changes). */
  supersede?: RouteDecision;
  /** The release this deploy starts instead of taking the live routes. */
  start?: { decision: RouteDecision; releaseId: string };
}

/**
 * What releases mean for a production deploy reaching its routes (inside its routing transaction, under the project's
 * lock). A deploy that would take the live routes (`plan.setLive`: production, not pinned) first supersedes the
 * environment's running release, if any: the newest deploy wins, as everywhere else. Then, when the environment has a
 * staged policy and a ready live deployment to compare with, it starts a release instead of taking the live routes:
 * the stable keeps them and the live pointer, the canary gets the first stage's weight. A first deploy (nothing live)
 * and a policy whose only stage is 100 switch at once (then watched when the policy has `healthWatchSeconds`).
 */
export async function decideDeployRelease(
  tx: RoutingTx,
  deploy: { deploymentId: string; operationId?: string; projectId: string; environmentId: string; isProduction: boolean },
  plan: RoutePlan,
  /** The project row the routing transaction locked: its live pointer as it is now. */
  project: Pick<LockedProject, 'liveDeploymentId'>,
): Promise<DeployReleaseDecision> {
  if (!plan.setLive) return {};
  if (!deploy.isProduction) return {};
  const deployment = { id: deploy.deploymentId, projectId: deploy.projectId };
  const supersede = await supersedeRunningRelease(tx, deployment.projectId, deploy.environmentId, `superseded by deployment ${deploy.deploymentId}`);
  const policy = await loadPolicy(tx, deploy.environmentId);
  const stableId = project.liveDeploymentId;
  const op = deploy.operationId ? await tx.operation.findUnique({ where: { id: deploy.operationId }, select: { requestedBy: true } }) : null;
  const stable = stableId && stableId !== deployment.id ? await tx.deployment.findUnique({ where: { id: stableId }, select: { status: true, environmentId: true } }) : null;
  if (!policy || !isStaged(policy) || !stableId || stable?.status !== 'ready' || stable.environmentId !== deploy.environmentId) {
    // A plain switch: watched afterwards when the policy asks for it.
    if (deploy.operationId) {
      await recordHealthWatchInTx(tx, {
        projectId: deployment.projectId,
        environmentId: deploy.environmentId,
        deploymentId: deployment.id,
        previousDeploymentId: stableId,
        switchOperationId: deploy.operationId,
        requestedBy: op?.requestedBy ?? `deploy:${deployment.id}`,
      });
    }
    return { supersede };
  }
  const { decision, release } = await startReleaseInTx(tx, {
    projectId: deployment.projectId,
    environmentId: deploy.environmentId,
    stableDeploymentId: stableId,
    canaryDeploymentId: deployment.id,
    policy,
    requestedBy: op?.requestedBy ?? `deploy:${deployment.id}`,
    deployOperationId: deploy.operationId ?? deployment.id,
  });
  return { supersede, start: { decision, releaseId: release.id } };
}
