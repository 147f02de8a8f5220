import type { Job } from 'bullmq';
import type { AnyFlow } from './define-flow';
import type { AnyStep } from './define-step';
import type { EngineContext } from './engine-context';
import type { CancelRequest } from './errors';
import type { OperationJobData, StepJobFields, StepResult } from './job-data';
import { stepRecords } from './step-records';

/** What a job's processed children returned, by child job key: empty while no child has succeeded. */
export type ChildValues = Record<string, Partial<StepResult> | undefined>;

export async function readChildValues(job: Job): Promise<ChildValues> {
  return (await job.getChildrenValues()) ?? {};
}

/** Merges the accumulated outputs that the child step returned (the map's keys name the child job; only values count). */
function previousOutputs(values: ChildValues): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const value of Object.values(values)) Object.assign(merged, value?.outputs ?? {});
  return merged;
}

/** What a step run learns before its `run`: the outputs so far, and what was cancelled if its operation was. */
export interface StepStart {
  outputs: Record<string, unknown>;
  cancelled: CancelRequest | undefined;
  /** Whether this run recorded the step's start (its first run, or the first after an outage). */
  recordedStart: boolean;
}

/**
 * Everything a step run does before its `run`, issued at once rather than one round trip after another: the earlier
 * steps' outputs (Redis), the step row marked `running` and the operation moved to `running` (PostgreSQL), and the
 * flow's cancellation check. None depends on another, and each is idempotent. All of them have settled before this
 * returns or throws, so no write of the start can land after the failure path's writes.
 */
export async function startStep<Services>(
  engine: EngineContext,
  services: Services,
  input: { flow: AnyFlow; step: AnyStep; data: OperationJobData; fields: StepJobFields; attempt: number; job: Job; childValues?: ChildValues },
): Promise<StepStart> {
  const { flow, step, data, fields, attempt, job, childValues } = input;
  // First run, or a run after an outage (which may have kept the first from being recorded): both idempotent.
  const recordedStart = !fields.delays || fields.outageSince !== undefined;
  // A cancellable step's first run checks for cancellation inside the statement that records its start when the flow
  // says how in SQL; otherwise (a poll's later runs, flows without it) with the flow's own read.
  const cancelSql = recordedStart && step.cancellable ? flow.cancelRequestedSql : undefined;
  const settled = await Promise.allSettled([
    // Read by the worker already when it looked for a failed child (workers.ts).
    childValues ?? readChildValues(job),
    // The first step starts the operation (in the same statement); a later step only needs it after a crash re-ran the
    // flow mid-way.
    recordedStart
      ? stepRecords.running(
          engine,
          { ownerId: data.ownerId, operationId: data.operationId, name: step.name, position: fields.position, attempts: attempt },
          fields.position === 0 || attempt > 1 || fields.outageSince !== undefined,
          cancelSql?.query(data),
        )
      : undefined,
    step.cancellable && !cancelSql ? flow.cancelRequested?.(services, data) : undefined,
  ] as const);
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
  const [outputs, started, read] = settled as unknown as [
    PromiseFulfilledResult<ChildValues>,
    PromiseFulfilledResult<Awaited<ReturnType<typeof stepRecords.running>> | undefined>,
    PromiseFulfilledResult<CancelRequest | undefined>,
  ];
  const inStatement = started.value?.cancel;
  const cancelled = cancelSql ? (inStatement?.requested ? cancelSql.answer(data, inStatement) : undefined) : read.value;
  return { outputs: previousOutputs(outputs.value), cancelled, recordedStart };
}
