/**
 * deployflow's errors: one catalogue of codes (catalogue.ts) and the typed errors that carry them. The classes are for
 * control flow (TerminalError fails a step at once, RetryableError is retried by BullMQ); the code decides the HTTP
 * status, the gRPC status and the public message.
 */
export * from './catalogue';
export * from './deployflow-error';
export * from './describe';
export * from './operation-ended-error';
// The engine's own errors carry catalogue codes too (the catalogue gives them their statuses).
export { CancelledError, CodedError, MalformedJobError, UnknownOperationKindError } from '../engine/errors';
