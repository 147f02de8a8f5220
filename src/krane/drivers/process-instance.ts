import { ChildProcess, spawn } from 'node:child_process';
import { KraneInstanceStatus } from '../types';
import { BoundedLog } from './bounded-log';
import { LaunchCommand } from './file-image';
import { httpHealthCheck } from './http-health-check';
import { failureReason } from './log-tail';

export interface ProcessInstanceOptions {
  id: string;
  host: string;
  port: number;
  launch: LaunchCommand;
  /** Complete environment of the process: nothing of ours is inherited beyond what is put here. */
  env: Record<string, string>;
  healthCheckPath: string;
  healthIntervalMs: number;
  runningHealthIntervalMs: number;
  healthTimeoutMs: number;
  /** Consecutive failed checks that take a running instance back to pending. */
  unhealthyThreshold: number;
  logLimitBytes: number;
}

const GONE_POLL_MS = 20;
const KILL_WAIT_MS = 5_000;

type State = 'pending' | 'running' | 'stopping' | 'exited';

/**
 * One replica: a child process we hold by PID, health-checked over HTTP in the background. It runs in its own
 * process group so stopping it also reaches whatever it started (a shell start script, workers).
 */
export class ProcessInstance {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  private readonly child: ChildProcess;
  private readonly log: BoundedLog;
  private state: State = 'pending';
  private failedChecks = 0;
  /** How the process ended when it ended by itself (not stopped by us), and the failure reported for it. */
  private ending: string | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly exited: Promise<void>;
  /**
   * Once seen empty, the group's id may be handed to an unrelated process: never signal it again. While any
   * member lives the kernel keeps the id reserved, so signals sent before this is set reach only our processes.
   */
  private groupGone = false;

  private constructor(private readonly options: ProcessInstanceOptions) {
    this.id = options.id;
    this.host = options.host;
    this.port = options.port;
    this.log = new BoundedLog(options.logLimitBytes);
    this.child = spawn(options.launch.command, options.launch.args, {
      cwd: options.launch.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const keep = (chunk: Buffer) => this.log.append(chunk);
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      const onGone = (description: string) => {
        if (this.state === 'exited') return;
        // Taken before our own note below goes into the log: the failure quotes the app's output, not ours.
        if (this.state !== 'stopping') this.ending = failureReason(description, this.log.text());
        this.state = 'exited';
        // Said in the instance's own log, where whoever reads why it is not running will look.
        this.log.append(Buffer.from(`krane: instance ${this.id} ${description}\n`));
        this.clearHealthTimer();
        this.isGone();
        resolve();
      };
      // 'exit' fires once the OS has reaped the process: from then on its PID no longer answers signals.
      this.child.once('exit', (code, signal) => onGone(signal ? `killed by ${signal}` : `exited with code ${code}`));
      // A process that could not be spawned at all gets 'error' and never 'exit'.
      this.child.once('error', (err) => {
        if (this.child.pid === undefined) onGone(`failed to start: ${err.message}`);
      });
    });
    this.scheduleHealthCheck(0);
  }

  static start(options: ProcessInstanceOptions): ProcessInstance {
    return new ProcessInstance(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** `running` only while the process is alive and its health check passes; an exited process is `terminating`. */
  get status(): KraneInstanceStatus {
    if (this.state === 'running') return 'running';
    if (this.state === 'pending') return 'pending';
    return 'terminating';
  }

  logs(): string {
    return this.log.text();
  }

  /** Set once the process ended by itself: how (exit code or signal) and the tail of its output. */
  get failure(): string | undefined {
    return this.ending;
  }

  /**
   * SIGTERM to the whole process group, SIGKILL to it after graceMs; resolves once the process and everything it
   * started are gone (a process that outlives even SIGKILL by KILL_WAIT_MS, e.g. stuck in the kernel, is given up on).
   */
  async stop(graceMs: number): Promise<void> {
    this.clearHealthTimer();
    if (this.state !== 'exited') this.state = 'stopping';
    if (this.child.pid === undefined) return this.exited; // never started: nothing to signal
    // Sent even when the process itself already exited: what it started may still run, in its group.
    this.signal('SIGTERM');
    if (await this.waitUntilGone(Date.now() + graceMs)) return;
    this.signal('SIGKILL');
    await this.waitUntilGone(Date.now() + KILL_WAIT_MS);
  }

  /** The process has been reaped and no member of its group is left. */
  private isGone(): boolean {
    if (this.state !== 'exited') return false;
    if (this.groupGone || this.child.pid === undefined) return true;
    try {
      process.kill(-this.child.pid, 0);
      return false;
    } catch (err) {
      this.groupGone = (err as NodeJS.ErrnoException).code === 'ESRCH';
      return this.groupGone;
    }
  }

  private async waitUntilGone(deadline: number): Promise<boolean> {
    while (!this.isGone()) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, GONE_POLL_MS));
    }
    return true;
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.groupGone) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone (ESRCH) or was never formed; the process itself may still be there.
      if (this.state !== 'exited') {
        try {
          this.child.kill(signal);
        } catch {
          // already gone
        }
      }
    }
  }

  private scheduleHealthCheck(delayMs: number): void {
    this.healthTimer = setTimeout(() => void this.checkHealth(), delayMs);
    this.healthTimer.unref();
  }

  private clearHealthTimer(): void {
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
  }

  private async checkHealth(): Promise<void> {
    this.healthTimer = undefined;
    if (this.state !== 'pending' && this.state !== 'running') return;
    const healthy = await httpHealthCheck(this.host, this.port, this.options.healthCheckPath, this.options.healthTimeoutMs);
    // The process may have exited or been asked to stop while the check was in flight: those states are final.
    if (this.state !== 'pending' && this.state !== 'running') return;
    if (healthy) {
      this.state = 'running';
      this.failedChecks = 0;
    } else if (this.state === 'running' && ++this.failedChecks >= this.options.unhealthyThreshold) {
      this.state = 'pending';
      this.failedChecks = 0;
    }
    this.scheduleHealthCheck(this.state === 'running' ? this.options.runningHealthIntervalMs : this.options.healthIntervalMs);
  }
}
