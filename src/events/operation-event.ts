import type { DeploymentStatus, OperationKind, OperationState, StepStatus } from '../generated/prisma/client';

/**
 * A state change the engine committed to the database, announced to whoever waits for it. An event is a wake-up
 * call, never the state itself: a waiter that hears one reads the rows again (the database stays the one source of
 * truth), so a lost or repeated event costs at most a fallback read, never a wrong answer.
 */
export type OperationEvent =
  | { type: 'operation'; operationId: string; state: OperationState; kind?: OperationKind; deploymentId?: string | null }
  /** A step row changed; `name: '*'` when several rows of the owner changed at once (planned, skipped, rolled forward). */
  | { type: 'step'; ownerId: string; name: string; status?: StepStatus }
  | { type: 'deployment'; deploymentId: string; status: DeploymentStatus };

// Kept here rather than imported from the engine: the engine imports this module, never the other way round.
const UNFINISHED: readonly OperationState[] = ['queued', 'running'];

/** Whether the event says that operation is finished: the one event a `?wait` or gRPC waiter acts on. */
export function announcesFinished(event: OperationEvent, operationId: string): boolean {
  return event.type === 'operation' && event.operationId === operationId && !UNFINISHED.includes(event.state);
}

/**
 * The ids whose channels carry the event: an operation's own id; the owner of a step row (a deployment for a deploy's
 * timeline, an operation otherwise); a deployment for its status, and for the deploy operations that run it (an event
 * stream of a deployment waits for its deploy to finish).
 */
export function subjectsOf(event: OperationEvent): string[] {
  switch (event.type) {
    case 'operation':
      return event.kind === 'deploy' && event.deploymentId ? [event.operationId, event.deploymentId] : [event.operationId];
    case 'step':
      return [event.ownerId];
    case 'deployment':
      return [event.deploymentId];
  }
}

/**
 * One pub/sub channel per operation or deployment, under the engine's key prefix: the prefix's braces are the Redis
 * Cluster hash tag of every engine key, and keep all channels in one slot should they move to sharded pub/sub.
 */
export function eventChannel(prefix: string, subjectId: string): string {
  return `${prefix}:events:${subjectId}`;
}
