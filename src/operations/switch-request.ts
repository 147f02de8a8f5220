import { z } from 'zod';
import { freeText, nonBlankLineText } from './text';

/** Body of POST /v1/projects/:id/rollback/:deploymentId (and the fields gRPC and the script fill in). */
export const RollbackBody = z.strictObject({
  expectedSourceDeploymentId: nonBlankLineText(128).optional(),
  reason: freeText(1000).trim().optional(),
});

export const PromoteBody = z.strictObject({
  reason: freeText(1000).trim().optional(),
});

export interface SwitchRequest {
  kind: 'rollback' | 'promote';
  /** Project id or slug; for gRPC it is derived from the target deployment. */
  projectId: string;
  targetDeploymentId: string;
  expectedSourceDeploymentId?: string;
  reason?: string;
}
