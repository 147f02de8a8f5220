import type { AnyFlow } from './define-flow';
import type { EngineContext } from './engine-context';
import type { OperationJobData } from './job-data';
import { finishOperation } from './operation-state';

/** What a succeeded operation records as its result: the flow's outcome, or just what it was. */
export async function operationOutcome<Services>(services: Services, flow: AnyFlow, data: OperationJobData): Promise<Record<string, unknown>> {
  return flow.outcome ? flow.outcome(services, data) : { kind: data.kind };
}

/** The root job of a flow runs once every step succeeded: the operation has succeeded. */
export async function completeOperation<Services>(engine: EngineContext, services: Services, flow: AnyFlow, data: OperationJobData): Promise<Record<string, unknown>> {
  const result = await operationOutcome(services, flow, data);
  const { ended, durationMs } = await finishOperation(engine, data, 'succeeded', { result });
  engine.logger.info('operation succeeded', { operationId: data.operationId, kind: data.kind, requestId: data.requestId, durationMs });
  // Counted by the write that ended it: a root job run again (a stall, the reconciler) counts nothing twice.
  if (ended) engine.observer.operationEnded({ kind: data.kind, result: 'succeeded', durationMs });
  return result;
}
