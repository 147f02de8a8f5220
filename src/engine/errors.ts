import { TerminalError } from '../errors';

/** The operation was cancelled on request before its point of no return. */
export class CancelledError extends TerminalError {
  constructor(what: string) {
    super('cancelled', `${what} was cancelled`);
  }
}

/** A job whose data does not match its flow (written by other code, or by hand): it fails for good, with the reason. */
export class MalformedJobError extends TerminalError {
  constructor(jobId: string | undefined, problem: string) {
    super('malformed_job', `job ${jobId ?? '(no id)'} has malformed data: ${problem}`);
  }
}

/** An operation of a kind no flow was given to the engine. */
export class UnknownOperationKindError extends TerminalError {
  constructor(kind: string) {
    super('unknown_operation_kind', `no flow for operations of kind ${kind}`);
  }
}
