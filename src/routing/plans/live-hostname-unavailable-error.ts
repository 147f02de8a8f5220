import { UnprocessableError } from '../../errors';

/**
 * A rollback or promote whose target would need a new live route (production has none) that cannot be made: its
 * hostname and the collision alternative belong to others. The target cannot become live without a route, so the
 * switch is refused rather than leaving a live pointer that nothing serves.
 */
export class LiveHostnameUnavailableError extends UnprocessableError<'live_hostname_unavailable'> {
  constructor(kind: string, deploymentId: string, why: string) {
    super('live_hostname_unavailable', { kind, deploymentId, why });
  }
}
