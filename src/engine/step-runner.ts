import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { chainFailure, stepFailureReason } from './chain-failure';
import type { AnyFlow } from './define-flow';
import type { AnyStep, DelayOptions, StepContext, StepNeeds } from './define-step';
import type { EngineContext } from './engine-context';
import { cancellationError, CodedError, errorCodeOf, isCancellation, isRetryable, logFieldsOf, MalformedJobError, publicMessageOf } from './errors';
import { CONCURRENT_SIBLINGS_WAIT_MS, concurrentSiblings, waitForConcurrentSiblings } from './concurrent-siblings';
import { delayJobWithData } from './delay-job';
import { handleFinalFailure } from './final-failure';
import { lostItsJob } from './lost-job';
import { isInfrastructureOutage } from './infrastructure-outage';
import { firstIssue, StepJobFields, type OperationJobData, type StepResult } from './job-data';
import { stepJournal, summarizeInputs } from './step-journal';
import { type ChildValues, startStep } from './step-start';
import { stepRecords } from './step-records';

/** The outputs a step declared it needs, from the accumulated outputs (the flow checked they run before it). */
function neededOutputs(step: AnyStep, outputs: Record<string, unknown>): Record<string, unknown> {
  const needs: StepNeeds = step.needs ?? {};
  return Object.fromEntries(Object.entries(needs).map(([as, needed]) => [as, outputs[needed.name]]));
}

/** A step job as the worker boundary validated it. */
export interface ValidatedStepJob {
  flow: AnyFlow;
  step: AnyStep;
  data: OperationJobData;
  fields: StepJobFields;
  state: unknown;
}

/** Validates a step job against its flow and step: a malformed job is a MalformedJobError (terminal), never a TypeError. */
export function validateStepJob(flow: AnyFlow, step: AnyStep, job: Job): ValidatedStepJob {
  const data = flow.data.safeParse(job.data);
  if (!data.success) throw new MalformedJobError(job.id, firstIssue(data.error));
  const fields = StepJobFields.safeParse(job.data);
  if (!fields.success) throw new MalformedJobError(job.id, firstIssue(fields.error));
  const state = step.state ? step.state.safeParse(job.data) : { success: true as const, data: {} };
  if (!state.success) throw new MalformedJobError(job.id, firstIssue(state.error));
  return { flow, step, data: data.data, fields: fields.data, state: state.data };
}

/**
 * Runs one step job: keeps its DeploymentStep row current, stops a cancelled operation, passes polling through,
 * and on a final failure resolves the whole operation before BullMQ fails the job (and with it the flow).
 */
export async function runStep<Services>(
  engine: EngineContext,
  services: Services,
  validated: ValidatedStepJob,
  job: Job,
  token: string,
  childValues?: ChildValues,
): Promise<StepResult> {
  const { flow, step, data, fields } = validated;
  // Every field of the operation's job data (operation, kind, project, owner, request, and what the flow adds, e.g. a
  // deploy's deploymentId) names what the step's lines are about: `grep <id>` finds them.
  const logger = engine.logger.child({ step: step.name, ...data, jobId: job.id });
  const attempt = job.attemptsMade + 1;
  const maxAttempts = job.opts.attempts ?? 1;
  const { prisma } = engine;
  let state = validated.state;
  // The job's own log and progress on the dashboard (best effort, written in the background, flushed before the job ends).
  const journal = stepJournal(job, logger, { redis: engine.redis, prefix: engine.queues.prefix });

  const saveState = async (patch: object, extra: object = {}) => {
    await job.updateData({ ...job.data, ...patch, ...extra });
    state = { ...(state as object), ...patch };
  };
  const delay = async (ms: number, patch: object = {}, extra: object = {}, options: DelayOptions = {}): Promise<never> => {
    await delayJobWithData(job, token, ms, { ...job.data, ...patch, ...extra, delays: (fields.delays ?? 0) + 1 });
    if (options.wakeIf && (await options.wakeIf().catch(() => false))) await job.promote().catch(() => undefined);
    throw new DelayedError();
  };

  try {
    const { outputs, cancelled, recordedStart } = await startStep(engine, services, { flow, step, data, fields, attempt, job, childValues });
    const needs = neededOutputs(step, outputs);
    if (recordedStart) {
      logger.info('step started', { attempt });
      journal.log(`${step.name} started (attempt ${attempt}/${maxAttempts}): ${summarizeInputs(data, needs)}`);
    }
    if (cancelled) throw cancellationError(cancelled);
    const context: StepContext<Services, OperationJobData, StepNeeds, unknown> = {
      services,
      data,
      needs,
      get state() {
        return state;
      },
      job,
      token,
      queues: engine.queues,
      logger,
      log: (line) => journal.log(line),
      progress: (text, figures) => {
        journal.log(text);
        if (figures) journal.progress(figures);
        return stepRecords.progress(engine, data.ownerId, step.name, text);
      },
      reportProgress: (figures) => journal.progress(figures),
      saveState: (patch) => saveState(patch),
      delay: (ms, patch, options) => delay(ms, patch, {}, options),
    };
    const output: unknown = await step.run(context);
    const summary = step.summarize ? step.summarize(output) : undefined;
    const durationMs = await stepRecords.succeeded(engine, data.ownerId, step.name, summary);
    logger.info('step succeeded', { summary, durationMs });
    engine.observer.stepEnded({ kind: data.kind, step: step.name, queue: step.queue, result: 'succeeded', durationMs });
    journal.log(`${step.name} succeeded in ${durationMs} ms${summary ? `: ${summary}` : ''}`);
    await journal.flush();
    return { outputs: { ...outputs, [step.name]: output ?? null } };
  } catch (err) {
    if (err instanceof DelayedError) {
      await journal.flush();
      throw err;
    }
    if (lostItsJob(err)) {
      // A run that stalled past its lock and resumed after BullMQ gave the job to another run: the step row, the
      // operation and the routing turn are that run's to settle.
      logger.warn('this run lost its job to another run (its lock lapsed): it records nothing', { attempt, error: (err as Error).message });
      throw err;
    }
    if (isInfrastructureOutage(err)) {
      const since = fields.outageSince ?? Date.now();
      if (Date.now() - since < engine.settings.outageToleranceMs) {
        logger.warn('database unreachable: waiting it out without spending an attempt', logFieldsOf(err));
        await delay(Math.min(5_000, engine.settings.backoffMs * 2), {}, { outageSince: since });
      }
    }
    const final = !isRetryable(err) || err instanceof UnrecoverableError || attempt >= maxAttempts;
    // The step row (and then the application's records and the operation) shows the tenant the public message only.
    const message = publicMessageOf(err);
    const code = errorCodeOf(err);
    await stepRecords.failed(engine, data.ownerId, step.name, message, final, isCancellation(err) ? 'cancelled' : 'failed');
    if (!final) {
      logger.warn('step attempt failed, will retry', { attempt, maxAttempts, ...logFieldsOf(err) });
      journal.log(`${step.name} attempt ${attempt}/${maxAttempts} failed (${code}): ${message}; BullMQ retries it`);
      await journal.flush();
      // BullMQ keeps each failed attempt's stack on the job: a catalogued error's is only the engine's frames.
      if (err instanceof CodedError) err.stack = '';
      throw err;
    }
    const durationMs = await stepRecords.durationMs(prisma, data.ownerId, step.name);
    logger.warn('step failed', { attempt, ...logFieldsOf(err), durationMs });
    engine.observer.stepEnded({ kind: data.kind, step: step.name, queue: step.queue, result: isCancellation(err) ? 'cancelled' : 'failed', durationMs });
    journal.log(`${step.name} failed for good after ${durationMs ?? '?'} ms (${code}): ${message}`);
    await waitForConcurrentSiblings(engine, data.ownerId, concurrentSiblings(flow, step.name), CONCURRENT_SIBLINGS_WAIT_MS, (unsettled) => {
      journal.log(`waiting for ${unsettled.join(', ')}, running at the same time, to settle before ending the operation`);
      void journal.flush();
    });
    await handleFinalFailure(engine, services, flow, data, step.name, err);
    await journal.flush();
    // The reason travels up the chain to the root job (chain-failure.ts). A catalogued error says all there is; only an
    // unexpected one keeps its stack, for whoever debugs it.
    const failure = chainFailure(stepFailureReason(step.name, code, message));
    if (!(err instanceof CodedError) && err instanceof Error && err.stack) failure.stack = err.stack;
    throw failure;
  }
}
