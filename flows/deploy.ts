import { compensateDeployment } from '../src/deployments/compensate-deployment';
import { deploymentCancelRequested, deploymentCancelRequestedSql, recordDeployFailure, recordDeployRolledForward } from '../src/deployments/deployment-lifecycle';
import { readDeployLiveState } from '../src/deployments/deploy-live-state';
import { defineFlow, onRouting, onSteps } from '../src/engine/define-flow';
import { DeployJobData } from '../src/operations/operation-jobs';
import { routeChangeCommitted } from '../src/routing/changes/route-change-committed';
import { operationSubject } from '../src/operations/operation-subject';
import { assignRoutes } from '../processors/assign-routes';
import { buildRoutes } from '../processors/build-routes';
import { createInKrane } from '../processors/create-in-krane';
import { fetchMetadata } from '../processors/fetch-metadata';
import { pollInstances } from '../processors/poll-instances';
import { scrapeOpenapi } from '../processors/scrape-openapi';
import type { Services } from '../processors/services';
import { setBuilding } from '../processors/set-building';
import { setReady } from '../processors/set-ready';
import { updateLive } from '../processors/update-live';

/**
 * The deployment a deploy's hooks act on. A step's data names it; a root job's data carries only the engine's fields
 * (the reconciler fails a lost flow with them), where the owner of the step rows is the deployment (`fromOperation`
 * below). Never undefined: a status write with no id would match every active deployment.
 */
const deploymentOf = (data: Pick<DeployJobData, 'ownerId'> & { deploymentId?: string }): string => data.deploymentId ?? data.ownerId;

/**
 * Deploy (SPEC §3.1): run an image for a project's environment, wait until its instances are healthy, scrape its
 * OpenAPI spec, give it its hostnames and switch traffic atomically. The steps run in this order, each on its queue.
 */
export const deployFlow = defineFlow<Services, DeployJobData>({
  kind: 'deploy',
  data: DeployJobData,
  fromOperation: (op) => ({ deploymentId: op.deploymentId, ownerId: op.deploymentId }),
  subject: operationSubject, // what its jobs' names on the dashboard say it acts on (`shop/production`)
  steps: [
    onSteps(fetchMetadata), //   load deployment, workspace, project, environment
    onSteps(setBuilding), //     status building
    onSteps(createInKrane), //   status deploying; Krane CreateDeployment
    onSteps(pollInstances), //   until the instances run and answer their health check (delays itself, holds no worker)
    onSteps(scrapeOpenapi), //   status network; the app's OpenAPI document, never failing the deploy
    onSteps(buildRoutes), //     hostnames and which routes move: the plan
    onRouting(assignRoutes), //  the project's turn, then the plan in one transaction; the point of no return
    onSteps(setReady), //        status ready
    onSteps(updateLive), //      records whether it is live (set with the routes)
  ],
  // Until assign-routes starts, POST /v1/deployments/:id/cancel stops every step above it.
  cancelRequested: ({ prisma }, data) => deploymentCancelRequested(prisma, deploymentOf(data)),
  // The same check, made by a step's first run inside the statement that records its start.
  cancelRequestedSql: {
    query: (data) => deploymentCancelRequestedSql.query(data.deploymentId),
    answer: (data, row) => deploymentCancelRequestedSql.answer(data.deploymentId, row),
  },
  // Once its routes committed, a failure after them rolls the deploy forward: a failed deployment is never live.
  committed: ({ prisma }, data) => routeChangeCommitted(prisma, data.operationId),
  onRolledForward: (services, data) => recordDeployRolledForward(services, deploymentOf(data)),
  onFailed: (services, data, failure) => recordDeployFailure(services, deploymentOf(data), failure),
  // Otherwise what Krane runs for it is deleted, in a job of its own (a Krane outage retries it).
  compensation: { name: 'compensate', run: (services, data) => compensateDeployment(services, deploymentOf(data)) },
  // The root job carries only the engine's fields; a deploy's step rows are its deployment's (`ownerId`, set from the
  // operation's deploymentId above), so the release it started is looked up by it, alongside the rest of the outcome
  // (operationOutcome's fields), in one statement.
  async outcome(services, data) {
    const deploymentId = (data as { deploymentId?: string }).deploymentId;
    const now = await readDeployLiveState(services, { projectId: data.projectId, canaryOf: data.ownerId, deploymentId });
    const result: Record<string, unknown> = { kind: data.kind, deploymentId: deploymentId ?? null };
    if (deploymentId) result.status = now.status;
    Object.assign(result, { liveDeploymentId: now.liveDeploymentId, pinned: now.isRolledBack });
    return now.release ? { ...result, releaseId: now.release.id } : result;
  },
});
