import { cancelDeployment } from '../operations/cancel-deployment';
import { createDeploy } from '../operations/create-deploy';
import { requestSwitch, requestUndo } from '../operations/request-switch';
import type { BulkDeps, LineJob, LineResult } from './line-job';
import { DEFAULT_OPENAPI_FETCH_LIMITS, findRescrapeTarget, rescrapeOpenapi } from './rescrape-openapi';


/**
 * Runs one line through the same service functions the API calls, with the line's idempotency key. Refusals
 * arrive as the services' typed errors; the caller turns them into rejections.
 */
export async function executeLine(deps: BulkDeps, job: LineJob): Promise<LineResult> {
  const { line, caller, idempotencyKey } = job;
  const services = { prisma: deps.prisma, enqueue: deps.enqueue };
  switch (line.op) {
    case 'deploy': {
      const { op: _op, workspace: _workspace, ...request } = line;
      const created = await createDeploy(services, caller, request, idempotencyKey);
      return {
        outcome: created.existing ? 'already done' : 'enqueued',
        operationId: created.operationId,
        deploymentId: created.deploymentId,
        detail: `deploy ${request.image} to ${request.projectId}/${request.environment}`,
      };
    }
    case 'rollback':
    case 'promote': {
      const request = {
        kind: line.op,
        projectId: line.projectId,
        targetDeploymentId: line.targetDeploymentId,
        expectedSourceDeploymentId: line.op === 'rollback' ? line.expectedSourceDeploymentId : undefined,
        reason: line.reason,
      };
      const { operationId, existing } = await requestSwitch(services, caller, request, idempotencyKey);
      return { outcome: existing ? 'already done' : 'enqueued', operationId, deploymentId: line.targetDeploymentId, detail: `${line.op} ${line.projectId} to ${line.targetDeploymentId}` };
    }
    case 'undo': {
      const { operationId, existing } = await requestUndo(services, caller, line.projectId, line.reason, idempotencyKey);
      return { outcome: existing ? 'already done' : 'enqueued', operationId, detail: `undo the last route change of ${line.projectId}` };
    }
    case 'cancel': {
      const outcome = await cancelDeployment(deps.prisma, caller, line.deploymentId);
      return {
        outcome: outcome.alreadyRequested ? 'already done' : 'done',
        operationId: outcome.operationId ?? undefined,
        deploymentId: outcome.deploymentId,
        detail: outcome.alreadyRequested ? 'cancel was requested before' : 'cancel requested: the deploy stops at its next check and is compensated',
      };
    }
    case 'rescrape-openapi': {
      const target = await findRescrapeTarget(deps.prisma, caller.workspaceId, line.deploymentId);
      const result = await rescrapeOpenapi(deps.prisma, target, deps.openapiLimits ?? DEFAULT_OPENAPI_FETCH_LIMITS);
      return { outcome: 'done', deploymentId: target.deploymentId, detail: result.detail };
    }
  }
}
