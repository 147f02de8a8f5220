import { z } from 'zod';
import { DeployFacts } from '../deployments/deploy-facts';
import { OperationJobData } from '../engine/job-data';

/**
 * The job data of each kind of operation: what its flow's steps may rely on, validated when a worker picks a job up.
 * The shape is what earlier versions enqueued (jobs already queued keep running): `deploymentId` is the new deployment
 * of a deploy and the target of a rollback or promote.
 */
const id = z.string().min(1);

export const DeployJobData = OperationJobData.extend({
  kind: z.literal('deploy'),
  deploymentId: id,
  /**
   * What cannot change about the deployment (fetch-metadata's output), as the deploy request read it in the statement
   * that inserted the deployment; absent when the flow was enqueued from the operation row alone (the reconciler, a
   * gRPC Deploy of a pending deployment) or by an earlier version: fetch-metadata reads it then.
   */
  facts: DeployFacts.optional(),
});
export type DeployJobData = z.infer<typeof DeployJobData>;

export const SwitchJobData = OperationJobData.extend({
  kind: z.enum(['rollback', 'promote']),
  deploymentId: id,
  /**
   * The Krane namespace (the project's workspace slug, never updated), as the request read it with the target; absent
   * when the flow was enqueued from the operation row alone (the reconciler) or by an earlier version: check-instances
   * reads it then.
   */
  namespace: z.string().min(1).optional(),
});
export type SwitchJobData = z.infer<typeof SwitchJobData>;

export const UndoJobData = OperationJobData.extend({ kind: z.literal('undo') });
export type UndoJobData = z.infer<typeof UndoJobData>;

/** A rolling release: `deploymentId` is the canary. */
export const ReleaseJobData = OperationJobData.extend({ kind: z.literal('release'), deploymentId: id, releaseId: id });
export type ReleaseJobData = z.infer<typeof ReleaseJobData>;

/** One weight change of a release: the canary `deploymentId` gets `weight` percent (0 ends the release, 100 completes it). */
export const CanaryWeightJobData = OperationJobData.extend({
  kind: z.literal('canary_weight'),
  deploymentId: id,
  releaseId: id,
  weight: z.number().int().min(0).max(100),
});
export type CanaryWeightJobData = z.infer<typeof CanaryWeightJobData>;

/** A health watch: `deploymentId` went live replacing `previousDeploymentId`; watched for `seconds`. */
export const HealthWatchJobData = OperationJobData.extend({
  kind: z.literal('health_watch'),
  deploymentId: id,
  previousDeploymentId: id,
  seconds: z.number().int().min(1),
});
export type HealthWatchJobData = z.infer<typeof HealthWatchJobData>;

/** Any operation's job data. */
export type DeployflowJobData = DeployJobData | SwitchJobData | UndoJobData | ReleaseJobData | CanaryWeightJobData | HealthWatchJobData;
