import { deployFactsOf } from '../src/deployments/deploy-facts';
import { readDeployLiveState } from '../src/deployments/deploy-live-state';
import { healthWatchKey } from '../src/releases/health-watch';
import { fetchMetadata } from './fetch-metadata';
import { deployStep } from './services';

export interface UpdateLiveResult {
  live: boolean;
  liveDeploymentId: string | null;
  reason: string;
  /** The release this deploy started (its canary at the first stage), if any. */
  releaseId?: string;
}

/**
 * The live pointer was moved atomically with the routes inside assign-routes (SPEC §3.1 step 9); this step records
 * the outcome on the timeline: live or not, and why not (preview, pinned, a newer deployment is live, a release).
 * A release started by assign-routes is enqueued here, once its rows are committed (the reconciler would find it too).
 */
export const updateLive = deployStep({
  name: 'update-live',
  needs: { meta: fetchMetadata },
  async run({ services, data, needs }): Promise<UpdateLiveResult> {
    // The environment cannot change (fetch-metadata handed it on); the project's live pointer and pin can: read now.
    const facts = await deployFactsOf(services.prisma, data.deploymentId, needs.meta);
    // The project, the release and the health watch in one statement.
    const now = await readDeployLiveState(services, { projectId: facts.projectId, canaryOf: data.deploymentId, watchKey: healthWatchKey(data.operationId) });
    if (!now.projectFound) throw new Error(`project ${facts.projectId} not found`);
    const { release, watch } = now;
    const project = { liveDeploymentId: now.liveDeploymentId, isRolledBack: now.isRolledBack };
    const d = { id: data.deploymentId, project, environment: { isProduction: facts.isProduction, slug: facts.environmentSlug } };
    if (release?.state === 'running') await services.operations.enqueue(release.operationId);
    if (watch && (watch.state === 'queued' || watch.state === 'running')) await services.operations.enqueue(watch.id);
    const live = d.project.liveDeploymentId === d.id;
    const reason = live
      ? 'is the live deployment'
      : release
        ? `canary of release ${release.id} (${release.state}, ${release.weight}% of traffic); ${d.project.liveDeploymentId ?? 'nothing'} stays live until it completes`
        : !d.environment.isProduction
          ? `${d.environment.slug} is not production`
          : d.project.isRolledBack
            ? 'project is rolled back (pinned): promote to make it live'
            : d.project.liveDeploymentId
              ? `deployment ${d.project.liveDeploymentId} is live`
              : 'no deployment is live: it got no live route (its live hostname is taken, see assign-routes)';
    return { live, liveDeploymentId: d.project.liveDeploymentId, reason, ...(release ? { releaseId: release.id } : {}) };
  },
  summarize: (o) => (o.live ? 'live' : `not live: ${o.reason}`),
});
