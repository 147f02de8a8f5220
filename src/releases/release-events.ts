import type { RoutingTx } from '../routing/changes/route-change-types';

/** What a `release` event of a deployment's event log carries (the canary's stream, GET /v1/deployments/{id}/events). */
export interface ReleaseEventData {
  releaseId: string;
  state: 'running' | 'completed' | 'aborted' | 'superseded';
  stage: number;
  stages: number;
  weight: number;
  reason: string | null;
}

/**
 * Appends a `release` event to the canary's event log, in the transaction that made the change: numbered like the
 * triggers number the others (the deployment row's counter, taken under its row lock), so it commits in order.
 */
export async function appendReleaseEvent(tx: RoutingTx, deploymentId: string, data: ReleaseEventData): Promise<void> {
  await tx.$executeRaw`
    WITH bumped AS (UPDATE "Deployment" SET "eventSeq" = "eventSeq" + 1 WHERE "id" = ${deploymentId} RETURNING "id", "eventSeq")
    INSERT INTO "DeploymentEvent" ("deploymentId", "seq", "type", "data")
    SELECT "id", "eventSeq", 'release', ${JSON.stringify(data)}::jsonb FROM bumped`;
}
