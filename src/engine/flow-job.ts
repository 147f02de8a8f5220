import type { FlowJob, JobsOptions } from 'bullmq';
import { type AnyFlow, concurrentLeadCount } from './define-flow';
import type { OperationJobData, StepJobFields } from './job-data';
import { rootJobName, stepJobName } from './job-names';
import { JOURNAL_KEEP_LINES } from './step-journal';
import { operationJobId, QueueName, stepJobId } from './queue-names';
import type { EngineSettings } from './settings';

const KEEP = { removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 }, removeOnFail: { age: 30 * 24 * 3600 } };

function stepOptions(operationId: string, step: string, settings: Pick<EngineSettings, 'stepAttempts' | 'backoffMs'>): JobsOptions {
  return {
    jobId: stepJobId(operationId, step),
    attempts: settings.stepAttempts,
    backoff: { type: 'exponential', delay: settings.backoffMs },
    // A step that fails for good moves its parent on, and the parent fails with the step's reason without running
    // (chain-failure.ts): the reason reaches the root job. (No option at all would leave the parents waiting forever.)
    continueParentOnFailure: true,
    keepLogs: JOURNAL_KEEP_LINES,
    ...KEEP,
  };
}

/** `{ requestId }` when the operation came from a request with an id, else nothing (no `requestId: null` in job data). */
export function requestIdOf(input: { requestId?: string | null }): { requestId?: string } {
  return input.requestId ? { requestId: input.requestId } : {};
}

/**
 * One operation as one BullMQ flow (SPEC §5): a root job in `operations` whose children are the steps as a nested
 * chain — the first step is the deepest child and runs first; each step's parent is the step after it; each step on
 * the queue its flow places it on. Steps a flow starts with concurrently (`concurrently`) are all children of the step
 * after them: they run at once, and it runs when all have succeeded. Job ids are `<operation>.<step>`: enqueuing the
 * same operation again is a no-op.
 */
export function buildFlowJob(flow: AnyFlow, data: OperationJobData, settings: Pick<EngineSettings, 'stepAttempts' | 'backoffMs'>): FlowJob {
  const lead = concurrentLeadCount(flow);
  let children: FlowJob[] = [];
  let chain: FlowJob | undefined;
  flow.steps.forEach(({ step, queue }, position) => {
    const fields: StepJobFields = { step: step.name, position };
    const job: FlowJob = {
      name: stepJobName(step.name, data.subject),
      queueName: queue,
      data: { ...data, ...fields },
      opts: stepOptions(data.operationId, step.name, settings),
      // A concurrent step has no child; the step after them has all of them.
      children: position >= lead && children.length ? children : undefined,
    };
    if (position < lead) return void children.push(job);
    chain = job;
    children = [job];
  });
  return {
    name: rootJobName(data.kind, data.subject),
    queueName: QueueName.operations,
    data,
    // The root only records the outcome (idempotently): retry it through database outages.
    opts: { jobId: operationJobId(data.operationId), attempts: 10, backoff: { type: 'exponential', delay: 1_000 }, ...KEEP },
    children: chain ? [chain] : undefined,
  };
}
