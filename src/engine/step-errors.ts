import { TerminalCode, TerminalError } from '../errors';

/** The deploy was cancelled (POST /v1/deployments/:id/cancel) before routes were assigned. */
export class CancelledError extends TerminalError<'cancelled'> {
  constructor(deploymentId: string) {
    super('cancelled', { deploymentId });
  }
}

/** A step found what it needs missing or in the wrong state: never worth retrying. */
export class PreconditionFailedError<C extends TerminalCode> extends TerminalError<C> {}
