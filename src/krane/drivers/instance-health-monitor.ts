import { httpHealthCheck } from './http-health-check';

export interface HealthTimings {
  /** Between checks while pending. */
  intervalMs: number;
  /** Between checks once running. */
  runningIntervalMs: number;
  timeoutMs: number;
  /** Consecutive failed checks that take a running instance back to pending. */
  unhealthyThreshold: number;
}

/**
 * Checks one instance's health path over HTTP in the background, with the process driver's rule: `running` from the
 * first 2xx, back to `pending` after `unhealthyThreshold` failures in a row. `firstCheck` settles when the first check
 * has answered, so a caller that just adopted an instance can report what it really is rather than `pending`.
 */
export class InstanceHealthMonitor {
  private healthyNow = false;
  private failedChecks = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly firstCheck: Promise<void>;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly path: string,
    private readonly timings: HealthTimings,
  ) {
    this.firstCheck = this.check();
  }

  get healthy(): boolean {
    return this.healthyNow;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    const ok = await httpHealthCheck(this.host, this.port, this.path, this.timings.timeoutMs);
    if (this.stopped) return;
    if (ok) {
      this.healthyNow = true;
      this.failedChecks = 0;
    } else if (this.healthyNow && ++this.failedChecks >= this.timings.unhealthyThreshold) {
      this.healthyNow = false;
      this.failedChecks = 0;
    }
    this.timer = setTimeout(() => void this.check(), this.healthyNow ? this.timings.runningIntervalMs : this.timings.intervalMs);
    this.timer.unref();
  }
}
