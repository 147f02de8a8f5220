import type { Job } from 'bullmq';
import { compensate, CompensationJobData } from './compensation';
import type { EngineDeps } from './engine-deps';
import { COMPENSATE_STEP } from './step-names';
import { stepRecords } from './step-records';

/** Runs the compensate job with its own step row on the deployment's timeline. */
export async function runCompensation(deps: EngineDeps, job: Job<CompensationJobData>): Promise<string> {
  const { deploymentId, operationId } = job.data;
  const attempt = job.attemptsMade + 1;
  await stepRecords.running(deps, { ownerId: deploymentId, operationId, name: COMPENSATE_STEP, position: 100, attempts: attempt });
  try {
    const outcome = await compensate(deps, job.data);
    await stepRecords.succeeded(deps, deploymentId, COMPENSATE_STEP, outcome);
    deps.logger.info('compensated', { step: COMPENSATE_STEP, deploymentId, outcome });
    return outcome;
  } catch (err) {
    const final = attempt >= (job.opts.attempts ?? 1);
    await stepRecords.failed(deps, deploymentId, COMPENSATE_STEP, (err as Error).message, final);
    deps.logger.warn('compensation attempt failed', { step: COMPENSATE_STEP, deploymentId, attempt, error: (err as Error).message });
    throw err;
  }
}
