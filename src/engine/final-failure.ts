import type { AnyFlow } from './define-flow';
import type { EngineContext } from './engine-context';
import { errorCodeOf, isCancellation, logFieldsOf, MalformedJobError, publicMessageOf, SupersededError } from './errors';
import { enqueueCompensation } from './compensation';
import type { OperationJobData } from './job-data';
import { operationOutcome } from './operation-completion';
import { finishOperation } from './operation-state';
import { stepJobId } from './queue-names';
import { stepRecords } from './step-records';

/**
 * A step failed for good. Runs inside the failing step, before the job is failed in BullMQ: if the process dies
 * half-way, the job stalls, runs again and comes back here — every write below is idempotent (compare-and-set).
 *
 * Every step of the flow first releases what it holds for the operation (a routing step its project's turn). Then,
 * if the flow says a change that traffic already follows was committed, the operation rolls forward (failing it now
 * would leave a failed deployment live); otherwise the flow records the failure, the remaining step rows are skipped
 * or cancelled, the compensation job is enqueued, and the operation ends failed, cancelled or superseded.
 */
export async function handleFinalFailure<Services>(engine: EngineContext, services: Services, flow: AnyFlow, data: OperationJobData, step: string, err: unknown): Promise<void> {
  const cancelled = isCancellation(err);
  // Superseded (latest wins): stopped like a cancel, but the operation ends `superseded` and says by what.
  const supersededBy = err instanceof SupersededError ? err.by : undefined;
  const ending = supersededBy ? 'superseded' : cancelled ? 'cancelled' : 'failed';
  // What the tenant reads (the application's records, the operation's error, a roll-forward note): the public message
  // only; the raw text of an unexpected error goes to the log.
  const code = errorCodeOf(err);
  const message = publicMessageOf(err);
  for (const { step: s } of flow.steps) await s.onOperationEnded?.(engine, data, stepJobId(data.operationId, s.name));

  if (await flow.committed?.(services, data)) {
    await rollForward(engine, services, flow, data, step, err);
    return;
  }
  await flow.onFailed?.(services, data, { step, code, message, cancelled, supersededBy });
  await stepRecords.skipRemaining(engine, data.ownerId, cancelled ? 'cancelled' : 'skipped', supersededBy ? `not run: ${message}` : undefined);
  // Compensation is a job of its own so that an outage of what it talks to retries it without holding up anything else.
  if (flow.compensation) await enqueueCompensation(engine, flow.compensation.name, data);
  const { ended, durationMs } = await finishOperation(engine, data, ending, { errorCode: code, errorMessage: `${step}: ${message}` });
  if (ended) engine.observer.operationEnded({ kind: data.kind, result: ending, durationMs });
  engine.logger.warn('operation failed', { operationId: data.operationId, kind: data.kind, requestId: data.requestId, step, ...logFieldsOf(err), code, durationMs });
}

async function rollForward<Services>(engine: EngineContext, services: Services, flow: AnyFlow, data: OperationJobData, step: string, err: unknown): Promise<void> {
  const message = publicMessageOf(err);
  await flow.onRolledForward?.(services, data);
  // What the remaining steps do (recording the outcome) is done here: say so on their rows.
  await stepRecords.completeByRollForward(engine, data.ownerId, `completed when the operation rolled forward: ${step} failed after the route change was committed (${message})`);
  const outcome = await operationOutcome(services, flow, data);
  const { ended, durationMs } = await finishOperation(engine, data, 'succeeded', {
    result: { ...outcome, rolledForward: `${step} failed after the route change was committed (${message}); the operation is complete` },
  });
  if (ended) engine.observer.operationEnded({ kind: data.kind, result: 'rolled_forward', durationMs });
  engine.logger.warn('operation rolled forward after its route change', { operationId: data.operationId, kind: data.kind, requestId: data.requestId, step, ...logFieldsOf(err), durationMs });
}

/**
 * A job whose data does not fit its flow: nothing can be asked of the flow, so the operation just ends failed with
 * the reason (when the job at least names it).
 */
export async function failMalformedOperation(engine: EngineContext, operationId: string | undefined, ownerId: string | undefined, err: MalformedJobError): Promise<void> {
  if (!operationId) return;
  if (ownerId) await stepRecords.skipRemaining(engine, ownerId);
  await finishOperation(engine, { operationId, ownerId }, 'failed', { errorCode: err.code, errorMessage: err.message });
  engine.logger.warn('operation failed: malformed job', { operationId, error: err.message });
}
