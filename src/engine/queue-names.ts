/** The queues of the engine (SPEC §5). Names are fixed; the key prefix is configurable. */
export const QueueName = {
  /** Root job of every operation: runs once all its steps are done. */
  operations: 'operations',
  /** Every step that is not a route change and not a switch's own (deploy steps, polls, compensation). */
  steps: 'steps',
  /** Short route-applying jobs, one at a time per project. */
  routing: 'routing',
  /**
   * The steps a traffic switch runs before its routing step (a rollback's or promote's checks). Kept apart from
   * `steps` so a switch never waits behind thousands of deploy steps and polls queued there: BullMQ takes a queue's
   * jobs in order, and a poll that re-arms itself every second keeps `steps` full.
   */
  switches: 'switches',
  /**
   * The reconciler's passes (the engine's scheduled jobs): a queue of their own, so a pass never waits behind a burst
   * of operations nor holds a slot an operation's root job needs, and the dashboard shows them apart.
   */
  reconciler: 'reconciler',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const ALL_QUEUES: QueueName[] = [QueueName.operations, QueueName.steps, QueueName.routing, QueueName.switches, QueueName.reconciler];

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
