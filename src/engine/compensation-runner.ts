import type { Job } from 'bullmq';
import { logFieldsOf, publicMessageOf } from '../errors';
import { compensate, CompensationJobData } from './compensation';
import type { EngineDeps } from './engine-deps';
import { COMPENSATE_STEP } from './step-names';
import { stepRecords } from './step-records';

/** Runs the compensate job with its own step row on the deployment's timeline. */
export async function runCompensation(deps: EngineDeps, job: Job<CompensationJobData>): Promise<string> {
  const { deploymentId, operationId } = job.data;
  const attempt = job.attemptsMade + 1;
  await stepRecords.running(deps.prisma, { ownerId: deploymentId, operationId, name: COMPENSATE_STEP, position: 100, attempts: attempt });
  try {
    const outcome = await compensate(deps, job.data);
    await stepRecords.succeeded(deps.prisma, deploymentId, COMPENSATE_STEP, outcome);
    deps.logger.info('compensated', { step: COMPENSATE_STEP, deploymentId, outcome });
    return outcome;
  } catch (err) {
    const final = attempt >= (job.opts.attempts ?? 1);
    await stepRecords.failed(deps.prisma, deploymentId, COMPENSATE_STEP, publicMessageOf(err), final);
    deps.logger.warn('compensation attempt failed', { step: COMPENSATE_STEP, deploymentId, attempt, ...logFieldsOf(err) });
    throw err;
  }
}
