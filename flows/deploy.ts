import type { FlowJob } from 'bullmq';
import type { EngineSettings } from '../src/engine/engine-deps';
import { DEPLOY_STEPS } from '../src/engine/step-names';
import { buildOperationFlow, requestIdOf } from './operation-flow';

/** The Deploy flow (SPEC §3.1): nine steps, fetch-metadata first, update-live last. */
export function buildDeployFlow(input: { operationId: string; projectId: string; deploymentId: string; requestId?: string }, settings: Pick<EngineSettings, 'stepAttempts' | 'backoffMs'>): FlowJob {
  return buildOperationFlow({ operationId: input.operationId, projectId: input.projectId, deploymentId: input.deploymentId, kind: 'deploy', ownerId: input.deploymentId, ...requestIdOf(input) }, DEPLOY_STEPS, settings);
}
