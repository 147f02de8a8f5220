/**
 * What the engine and the application say of any thrown value, whatever threw it: retryability, the public message
 * (the catalogue's, never a raw error's text) and the log fields. They work on the engine's CodedError, which every
 * catalogue error is.
 */
export { isRetryable, logFieldsOf, publicMessageOf } from '../engine/errors';
