/** The three queues of the engine (SPEC §5). Names are fixed; the key prefix is configurable. */
export const QueueName = {
  /** Root job of every operation: runs once all its steps are done. Also hosts the reconciler. */
  operations: 'operations',
  /** Every step that is not a route change. */
  steps: 'steps',
  /** Short route-applying jobs, one at a time per project. */
  routing: 'routing',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const ALL_QUEUES: QueueName[] = [QueueName.operations, QueueName.steps, QueueName.routing];

/**
 * Deterministic job id of an operation's step, so enqueuing the same flow twice is a no-op.
 * BullMQ refuses custom ids with a single ':' (it reserves them), so the separator is '.'.
 */
export function stepJobId(operationId: string, step: string): string {
  return `${operationId}.${step}`;
}

export function operationJobId(operationId: string): string {
  return operationId;
}
