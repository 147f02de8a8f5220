import type { Db } from '../db/prisma';
import { Prisma } from '../generated/prisma/client';
import type { FlowFailure } from '../engine/define-flow';
import type { CancelRequest } from '../engine/errors';
import { ACTIVE_STATUSES } from '../statuses';
import { transitionDeployment, type DeploymentWriter } from './deployment-status';

/**
 * Whether the deploy must stop: `deployment <id>` when a cancel was requested for it (POST /v1/deployments/:id/cancel),
 * what superseded it when a newer deploy of its branch did (latest wins: the same flag, set by that deploy), else
 * undefined.
 */
export async function deploymentCancelRequested(prisma: Db, deploymentId: string): Promise<CancelRequest | undefined> {
  // Prisma's findUnique, not the raw deploymentCancelRequestedSql on its own: Prisma batches the findUniques of one tick
  // into one statement, which is what keeps a thousand polling deploys' checks cheap.
  const row = await prisma.deployment.findUnique({ where: { id: deploymentId }, select: { cancelRequestedAt: true, supersededById: true } });
  if (!row?.cancelRequestedAt) return undefined;
  return deploymentCancelRequest(deploymentId, row.supersededById);
}

/** What a cancel request on a deployment stops: the deployment, superseded by another when `supersededById` is set. */
export function deploymentCancelRequest(deploymentId: string, supersededById: string | null): CancelRequest {
  return supersededById ? { what: `deployment ${deploymentId}`, supersededBy: `deployment ${supersededById}` } : `deployment ${deploymentId}`;
}

/**
 * The same check as `deploymentCancelRequested`, as SQL for the engine to run inside the statement that records a
 * step's start (the flow's `cancelRequestedSql`).
 */
export const deploymentCancelRequestedSql = {
  query: (deploymentId: string) =>
    Prisma.sql`SELECT "cancelRequestedAt" IS NOT NULL AS "requested", "supersededById" AS "supersededBy" FROM "Deployment" WHERE "id" = ${deploymentId}`,
  answer: (deploymentId: string, row: { supersededBy: string | null }) => deploymentCancelRequest(deploymentId, row.supersededBy),
};

/**
 * A deploy ended for good, only from an active status: its deployment `failed` (with the step and why), `cancelled`,
 * or `superseded` (with the newer deploy that did it).
 */
export async function recordDeployFailure(writer: DeploymentWriter, deploymentId: string, failure: FlowFailure): Promise<void> {
  if (failure.supersededBy) {
    await transitionDeployment(writer, deploymentId, ACTIVE_STATUSES, 'superseded', {
      failedStep: null,
      statusReason: `superseded by ${failure.supersededBy}, a newer production deploy of the same branch that reached routing first (latest wins)`,
    });
    return;
  }
  await transitionDeployment(writer, deploymentId, ACTIVE_STATUSES, failure.cancelled ? 'cancelled' : 'failed', {
    failedStep: failure.cancelled ? null : failure.step,
    statusReason: failure.cancelled ? 'cancelled on request' : `${failure.step}: ${failure.message}`,
  });
}

/** A deploy rolled forward after its route change: traffic follows it, so it is ready whatever failed after. */
export async function recordDeployRolledForward(writer: DeploymentWriter, deploymentId: string): Promise<void> {
  await transitionDeployment(writer, deploymentId, ['network'], 'ready', { statusReason: null });
}
