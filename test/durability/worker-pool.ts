import type { Settings } from '../../src/app/settings';
import type { ChildService } from '../../src/services/child-service';
import { startWorkerProcess } from '../support/worker-process';

export interface WorkerPoolEnv {
  redisUrl: string;
  databaseUrl: string;
  kraneUrl: string;
  kraneToken: string;
  prefix: string;
  settings: Partial<Settings>;
  concurrency?: number;
}

/** What happened to the pool's processes, for the figures a durability test prints. */
export interface WorkerPoolStats {
  started: number;
  killed: number;
  /** Processes that ended on their own (a crash while Redis or PostgreSQL was down), with their last output. */
  exitedOnTheirOwn: { pid?: number; exitCode: number | null; signal: string | null; output: string }[];
}

/**
 * `size` worker OS processes (`npm run worker`), kept at that size: a process that exited is replaced by
 * `replaceExited`, one SIGKILLed by `killOne` is replaced at once. Processes are only ever ended by their PID.
 */
export class WorkerPool {
  private readonly slots: ChildService[] = [];
  readonly stats: WorkerPoolStats = { started: 0, killed: 0, exitedOnTheirOwn: [] };

  constructor(
    private readonly env: WorkerPoolEnv,
    readonly size: number,
  ) {}

  start(): void {
    while (this.slots.length < this.size) this.slots.push(this.spawn());
  }

  private spawn(): ChildService {
    this.stats.started++;
    return startWorkerProcess(this.env);
  }

  /** Replaces every process that is no longer running; returns how many were replaced. */
  replaceExited(): number {
    let replaced = 0;
    this.slots.forEach((worker, n) => {
      if (worker.running) return;
      this.stats.exitedOnTheirOwn.push({ pid: worker.pid, exitCode: worker.child.exitCode, signal: worker.child.signalCode, output: worker.recentOutput() });
      this.slots[n] = this.spawn();
      replaced++;
    });
    return replaced;
  }

  /** SIGKILL of the process in slot `n`, then a fresh one in its place. */
  async killOne(n: number): Promise<number | undefined> {
    const victim = this.slots[n];
    const pid = victim.pid;
    await victim.kill();
    this.stats.killed++;
    this.slots[n] = this.spawn();
    return pid;
  }

  pids(): (number | undefined)[] {
    return this.slots.map((w) => w.pid);
  }

  /** Recent output of the live processes (for a failure message). */
  output(): string {
    return this.slots.map((w) => `--- worker ${w.pid}\n${w.recentOutput()}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.slots.map((w) => w.stop()));
  }
}
