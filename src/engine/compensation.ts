import type { Job } from 'bullmq';
import { z } from 'zod';
import type { EngineContext } from './engine-context';
import { logFieldsOf, MalformedJobError, publicMessageOf } from './errors';
import type { FlowRegistry } from './flow-registry';
import { firstIssue, type OperationJobData } from './job-data';
import { stepJobName } from './job-names';
import { operationJobData } from './producer';
import { stepJobId } from './queue-names';
import { stepRecords } from './step-records';

/**
 * What every compensation job in the `steps` queue is: its id is `<operation>.compensate`; its name starts with it
 * (`compensate · shop/production`; plain `compensate` when queued by older versions).
 */
export const COMPENSATION_JOB = 'compensate';

/** A compensation job, whichever version queued it: by its id, not by the name people read. */
export function isCompensationJob(job: Job): boolean {
  return job.name === COMPENSATION_JOB || (job.id?.endsWith(`.${COMPENSATION_JOB}`) ?? false);
}
/** Where the compensation's step row sorts on the timeline: after every step. */
const COMPENSATION_POSITION = 100;

/** Enqueues the compensation of a failed operation (deterministic id: once per operation). */
export async function enqueueCompensation(engine: EngineContext, name: string, data: OperationJobData): Promise<void> {
  await engine.queues.steps.add(stepJobName(COMPENSATION_JOB, data.subject), { ...data, compensation: name }, {
    jobId: stepJobId(data.operationId, COMPENSATION_JOB),
    attempts: 20,
    backoff: { type: 'exponential', delay: engine.settings.backoffMs },
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
}

// Jobs enqueued by earlier versions carry only { deploymentId, operationId }: the operation row says the rest.
const CompensationJob = z.object({ operationId: z.string().min(1) });

/** Runs a compensation job with its own step row on the operation owner's timeline. */
export async function runCompensation<Services>(engine: EngineContext, services: Services, flows: FlowRegistry, job: Job): Promise<string> {
  const parsed = CompensationJob.safeParse(job.data);
  if (!parsed.success) throw new MalformedJobError(job.id, firstIssue(parsed.error));
  const data = await operationJobData(engine, flows, parsed.data.operationId);
  const compensation = flows.of(data.kind).compensation;
  if (!compensation) return `operations of kind ${data.kind} have no compensation`;
  const attempt = job.attemptsMade + 1;
  const row = { ownerId: data.ownerId, operationId: data.operationId, name: compensation.name };
  await stepRecords.running(engine, { ...row, position: COMPENSATION_POSITION, attempts: attempt });
  try {
    const outcome = await compensation.run(services, data);
    await stepRecords.succeeded(engine, data.ownerId, compensation.name, outcome);
    engine.logger.info('compensated', { step: compensation.name, operationId: data.operationId, outcome });
    return outcome;
  } catch (err) {
    // The step row shows the public message only; the raw text of an unexpected error goes to the log.
    const message = publicMessageOf(err);
    const final = attempt >= (job.opts.attempts ?? 1);
    await stepRecords.failed(engine, data.ownerId, compensation.name, message, final);
    engine.logger.warn('compensation attempt failed', { step: compensation.name, operationId: data.operationId, attempt, ...logFieldsOf(err) });
    throw err;
  }
}

/**
 * For the reconciler: the compensation of a failed operation whose compensation never finished is queued again
 * (retried if its job failed for good, enqueued if it was lost). Returns whether it did anything.
 */
export async function ensureCompensation(engine: EngineContext, flows: FlowRegistry, operationId: string): Promise<boolean> {
  const job = await engine.queues.steps.getJob(stepJobId(operationId, COMPENSATION_JOB));
  if (job) {
    if (!(await job.isFailed())) return false;
    await job.retry();
    return true;
  }
  const data = await operationJobData(engine, flows, operationId);
  const compensation = flows.of(data.kind).compensation;
  if (!compensation) return false;
  await enqueueCompensation(engine, compensation.name, data);
  return true;
}
