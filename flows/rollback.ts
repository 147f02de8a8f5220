import type { FlowJob } from 'bullmq';
import type { EngineSettings } from '../src/engine/engine-deps';
import { SWITCH_STEPS } from '../src/engine/step-names';
import { buildOperationFlow, requestIdOf } from './operation-flow';

/** The Rollback flow (SPEC §3.2): validate, check-instances, switch-routes (routing queue). */
export function buildRollbackFlow(input: { operationId: string; projectId: string; targetDeploymentId: string; requestId?: string }, settings: Pick<EngineSettings, 'stepAttempts' | 'backoffMs'>): FlowJob {
  return buildOperationFlow({ operationId: input.operationId, projectId: input.projectId, deploymentId: input.targetDeploymentId, kind: 'rollback', ownerId: input.operationId, ...requestIdOf(input) }, SWITCH_STEPS, settings);
}
