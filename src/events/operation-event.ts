import type { DeploymentChanged } from '../deployments/deployment-status';
import { FINISHED_STATES } from '../engine/operation-state';
import type { EngineEvent } from '../engine/state-events';

/**
 * What a watch can hear on a subject's channel: the engine's operation and step changes, and a deployment's status
 * changes announced by deployflow itself. Each is a wake-up call, never the state: the waiter reads the rows again.
 */
export type OperationEvent = EngineEvent | DeploymentChanged;

/** Whether the event says that operation is finished: the one event a `?wait` or gRPC waiter acts on. */
export function announcesFinished(event: OperationEvent, operationId: string): boolean {
  return event.type === 'operation' && event.operationId === operationId && FINISHED_STATES.includes(event.state);
}
