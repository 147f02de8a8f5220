/**
 * Whether the process has finished starting. `/readyz` answers 503 while something is pending (e.g. the instances of
 * routed deployments are being brought back after a restart), so a load balancer sends no traffic until then.
 */
export class StartupState {
  private pending: string | undefined;

  constructor(initial = 'starting') {
    this.pending = initial;
  }

  /** What start-up is doing now; undefined once it is done. */
  get pendingStep(): string | undefined {
    return this.pending;
  }

  step(description: string): void {
    this.pending = description;
  }

  done(): void {
    this.pending = undefined;
  }
}
