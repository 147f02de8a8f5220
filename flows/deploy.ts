import type { FlowJob } from 'bullmq';
import type { EngineSettings } from '../src/engine/engine-deps';
import { DEPLOY_STEPS } from '../src/engine/step-names';
import { buildOperationFlow } from './operation-flow';

/** The Deploy flow (SPEC §3.1): nine steps, fetch-metadata first, update-live last. */
export function buildDeployFlow(input: { operationId: string; projectId: string; deploymentId: string }, settings: Pick<EngineSettings, 'stepAttempts' | 'backoffMs'>): FlowJob {
  return buildOperationFlow({ ...input, kind: 'deploy', ownerId: input.deploymentId }, DEPLOY_STEPS, settings);
}
