import { z } from 'zod';

/** Body of POST /v1/projects/:id/rollback/:deploymentId (and the fields gRPC and the script fill in). */
export const RollbackBody = z.strictObject({
  expectedSourceDeploymentId: z.string().trim().min(1).max(128).optional(),
  reason: z.string().trim().max(1000).optional(),
});

export const PromoteBody = z.strictObject({
  reason: z.string().trim().max(1000).optional(),
});

export interface SwitchRequest {
  kind: 'rollback' | 'promote';
  /** Project id or slug; for gRPC it is derived from the target deployment. */
  projectId: string;
  targetDeploymentId: string;
  expectedSourceDeploymentId?: string;
  reason?: string;
}
