import type { FlowJob } from 'bullmq';
import type { EngineSettings } from '../src/engine/engine-deps';
import { UndoStep } from '../src/engine/step-names';
import { buildOperationFlow, requestIdOf } from './operation-flow';

/** Undo of the last route change: one routing step. */
export function buildUndoFlow(input: { operationId: string; projectId: string; requestId?: string }, settings: Pick<EngineSettings, 'stepAttempts' | 'backoffMs'>): FlowJob {
  return buildOperationFlow({ operationId: input.operationId, projectId: input.projectId, kind: 'undo', ownerId: input.operationId, ...requestIdOf(input) }, [UndoStep.undoRoutes], settings);
}
