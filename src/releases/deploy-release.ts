import { Prisma } from '../generated/prisma/client';
import type { LockedProject, RouteDecision, RoutingTx } from '../routing/changes/route-change-types';
import type { RoutePlan } from '../routing/plans/route-types';
import { recordHealthWatchInTx } from './health-watch';
import { isStaged, loadPolicy, StoredPolicy, type PolicySnapshot } from './release-policy';
import { startReleaseInTx, supersedeRunningRelease } from './release-transitions';

/** The routes a release leaves on the stable: those the live pointer's deployment serves (SPEC §4.1 "like live"). */
export const RELEASED_STICKIES: ReadonlySet<string> = new Set(['live', 'environment', 'custom']);

/**
 * What decideDeployRelease reads, read beforehand under the project's lock (deployReleaseSql): whether the environment
 * has a running release, its policy, who asked for the deploy, and the deployment the project's live pointer names.
 */
export interface DeployReleaseState {
  runningReleaseId: string | null;
  policy: PolicySnapshot | null;
  requestedBy: string | null;
  /** The deployment the live pointer names, as it is now (null: none). */
  stable: { id: string; status: string; environmentId: string } | null;
}

/**
 * DeployReleaseState as one SQL expression (a JSON object), for a deploy's route change to send with its replay check
 * once it holds the project's row lock (RouteChangeRequest.readUnderLock): four reads that cost no round trip there.
 */
export function deployReleaseSql(deploy: { operationId: string; projectId: string; environmentId: string }): Prisma.Sql {
  return Prisma.sql`json_build_object(
    'runningReleaseId', (SELECT r."id" FROM "Release" r WHERE r."projectId" = ${deploy.projectId} AND r."environmentId" = ${deploy.environmentId} AND r."state" = 'running' LIMIT 1),
    'policy', (SELECT row_to_json(rp) FROM "ReleasePolicy" rp WHERE rp."environmentId" = ${deploy.environmentId}),
    'requestedBy', (SELECT o."requestedBy" FROM "Operation" o WHERE o."id" = ${deploy.operationId}),
    'stable', (SELECT json_build_object('id', d."id", 'status', d."status"::text, 'environmentId', d."environmentId")
                 FROM "Project" p JOIN "Deployment" d ON d."id" = p."liveDeploymentId" WHERE p."id" = ${deploy.projectId}))`;
}

/** What deployReleaseSql read (a JSON object, or its text where the driver hands json as text). */
export function parseDeployReleaseState(value: unknown): DeployReleaseState {
  const read = (typeof value === 'string' ? JSON.parse(value) : value) as Omit<DeployReleaseState, 'policy'> & { policy: unknown };
  return { runningReleaseId: read.runningReleaseId, requestedBy: read.requestedBy, stable: read.stable, policy: read.policy ? StoredPolicy.parse(read.policy) : null };
}

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
  /** What deployReleaseSql read under the same lock, when the caller sent it; else each is read here. */
  known?: DeployReleaseState,
): Promise<DeployReleaseDecision> {
  if (!plan.setLive) return {};
  if (!deploy.isProduction) return {};
  const deployment = { id: deploy.deploymentId, projectId: deploy.projectId };
  const reason = `superseded by deployment ${deploy.deploymentId}`;
  const supersede = !known || known.runningReleaseId ? await supersedeRunningRelease(tx, deployment.projectId, deploy.environmentId, reason) : undefined;
  const policy = known ? (known.policy ?? undefined) : await loadPolicy(tx, deploy.environmentId);
  const stableId = project.liveDeploymentId;
  const op = known ? { requestedBy: known.requestedBy } : deploy.operationId ? await tx.operation.findUnique({ where: { id: deploy.operationId }, select: { requestedBy: true } }) : null;
  const stable =
    !stableId || stableId === deployment.id
      ? null
      : known && known.stable?.id === stableId
        ? known.stable
        : await tx.deployment.findUnique({ where: { id: stableId }, select: { status: true, environmentId: true } });
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
      }, policy?.healthWatchSeconds ?? null); // the policy read above: not read again
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
