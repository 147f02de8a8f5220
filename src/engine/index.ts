/**
 * The engine as a library (SPEC §5): operations as BullMQ flows of named steps, on its queues, with step rows,
 * polling without holding a worker, typed job data validated at the worker boundary, final-failure handling with
 * roll-forward and compensation, and flow healing. It is handed its flows and the services their steps use; it never
 * imports them. The application's composition root (src/app/) wires it.
 */
export { createEngine, createProducerEngine, type Engine, type EngineOptions, type ProducerEngine } from './engine';
export { defineFlow, onRouting, onSteps, type AnyFlow, type FlowDefinition, type FlowFailure, type FlowHooks } from './define-flow';
export { stepsFor, type AnyStep, type OutputOf, type StepContext, type StepDefinition } from './define-step';
export type { EngineContext, StateWriter } from './engine-context';
export { noEngineObserver, type EngineObserver, type OperationEnded, type StepEnded } from './engine-observer';
export { CancelledError, MalformedJobError, UnknownOperationKindError } from './errors';
export { OperationJobData } from './job-data';
export type { OperationProducer } from './producer';
export { operationJobId, QueueName, stepJobId } from './queue-names';
export type { EngineQueues } from './queues';
export { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from './settings';
export {
  eventChannel,
  noStateEvents,
  operationSubjects,
  redisStateEvents,
  type EngineEvent,
  type OperationChanged,
  type StateEvents,
  type StepChanged,
} from './state-events';
export type { EngineWorkers } from './workers';
