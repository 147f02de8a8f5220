/** Data of every job of an operation's flow. Small, JSON, and enough for a step to find everything else in the DB. */
export interface OperationJobData {
  operationId: string;
  kind: 'deploy' | 'rollback' | 'promote' | 'undo';
  projectId: string;
  /** The deployment the operation is about (deploy: the new one; rollback/promote: the target). */
  deploymentId?: string;
  /** Owner of the step rows: the deployment for a deploy, the operation otherwise. */
  ownerId: string;
  /** The HTTP request that asked for the operation (its x-request-id): on every log line of its jobs. */
  requestId?: string;
}

export interface StepJobData extends OperationJobData {
  step: string;
  /** Position in the flow, for ordering the timeline. */
  position: number;
  /** poll-instances: its own counters (BullMQ's attemptsMade stays 0 while a job delays itself). */
  polls?: number;
  pollStartedAt?: number;
  /** How often the job has delayed itself (polling, waiting for its turn). */
  delays?: number;
  /** When this step first met an unreachable database in its current outage (see infrastructure-outage.ts). */
  outageSince?: number;
  /** assign-routes: the cancel gate was passed (routingStartedAt is set). */
  gated?: boolean;
  /** routing steps: the project's turn ticket once taken. */
  ticket?: number;
}

/** What every step job returns: the outputs of all steps so far, keyed by step name. */
export interface StepResult {
  outputs: Record<string, unknown>;
}
