import { z } from 'zod';
import { OperationJobData } from '../engine/job-data';

/**
 * The job data of each kind of operation: what its flow's steps may rely on, validated when a worker picks a job up.
 * The shape is what earlier versions enqueued (jobs already queued keep running): `deploymentId` is the new deployment
 * of a deploy and the target of a rollback or promote.
 */
const id = z.string().min(1);

export const DeployJobData = OperationJobData.extend({ kind: z.literal('deploy'), deploymentId: id });
export type DeployJobData = z.infer<typeof DeployJobData>;

export const SwitchJobData = OperationJobData.extend({ kind: z.enum(['rollback', 'promote']), deploymentId: id });
export type SwitchJobData = z.infer<typeof SwitchJobData>;

export const UndoJobData = OperationJobData.extend({ kind: z.literal('undo') });
export type UndoJobData = z.infer<typeof UndoJobData>;

/** Any operation's job data. */
export type DeployflowJobData = DeployJobData | SwitchJobData | UndoJobData;
