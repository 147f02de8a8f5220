import { DeployflowError } from '../errors';
import type { EngineDeps } from './engine-deps';
import { ACTIVE_STATUSES, transitionDeployment } from './deployment-status';
import type { OperationJobData } from './job-data';
import { operationOutcome } from './operation-completion';
import { finishOperation } from './operation-state';
import { releaseRoutingTurn } from './routing-turn';
import { stepRecords } from './step-records';
import { CancelledError } from './step-errors';
import { enqueueCompensation } from './compensation';

/**
 * A step failed for good. Runs inside the failing step, before the job is failed in BullMQ: if the process dies
 * half-way, the job stalls, runs again and comes back here — every write below is idempotent (compare-and-set).
 */
export async function handleFinalFailure(deps: EngineDeps, data: OperationJobData, step: string, err: unknown): Promise<void> {
  const cancelled = err instanceof CancelledError;
  const code = err instanceof DeployflowError ? err.code : 'step_failed';
  const message = err instanceof Error ? err.message : String(err);
  const { prisma } = deps;
  await releaseRoutingTurn(deps, data);

  // Once the operation's route change committed, traffic already follows it: failing it now would leave a failed
  // deployment live. What is left (set-ready, update-live, the root) only records that outcome, so roll forward.
  if (await prisma.routeChange.findUnique({ where: { operationId: data.operationId }, select: { id: true } })) {
    await rollForward(deps, data, step, message);
    return;
  }

  if (data.kind === 'deploy' && data.deploymentId) {
    await transitionDeployment(deps, data.deploymentId, ACTIVE_STATUSES, cancelled ? 'cancelled' : 'failed', {
      failedStep: cancelled ? null : step,
      statusReason: cancelled ? 'cancelled on request' : `${step}: ${message}`,
    });
    await stepRecords.skipRemaining(deps, data.ownerId, cancelled ? 'cancelled' : 'skipped');
    // Compensation is a job of its own so that a Krane outage retries it without holding up anything else.
    await enqueueCompensation(deps, data.deploymentId, data.operationId);
  } else {
    await stepRecords.skipRemaining(deps, data.ownerId);
  }
  await finishOperation(deps, data.operationId, cancelled ? 'cancelled' : 'failed', { errorCode: code, errorMessage: `${step}: ${message}` });
  deps.logger.warn('operation failed', { operationId: data.operationId, step, code, error: message });
}

async function rollForward(deps: EngineDeps, data: OperationJobData, step: string, message: string): Promise<void> {
  if (data.kind === 'deploy' && data.deploymentId) {
    await transitionDeployment(deps, data.deploymentId, ['network'], 'ready', { statusReason: null });
  }
  // What the remaining steps do (status ready, recording the outcome) is done here: say so on their rows.
  await stepRecords.completeByRollForward(deps, data.ownerId, `completed when the operation rolled forward: ${step} failed after the route change was committed (${message})`);
  const outcome = await operationOutcome(deps, data);
  await finishOperation(deps, data.operationId, 'succeeded', {
    result: { ...outcome, rolledForward: `${step} failed after the route change was committed (${message}); the operation is complete` },
  });
  deps.logger.warn('operation rolled forward after its route change', { operationId: data.operationId, step, error: message });
}
