import { randomBytes } from 'node:crypto';
import { freePort } from '../../services/free-port';
import {
  DeploymentConflictError,
  DeploymentNotFoundError,
  DriverResourceExhaustedError,
  DriverUnavailableError,
  KraneDriver,
} from '../driver';
import { DEFAULT_HEALTH_CHECK_PATH, KraneDeploymentSpec, KraneInstance } from '../types';
import { LaunchCommand, resolveFileImage } from './file-image';
import { ProcessInstance } from './process-instance';
import { ProcessGroupRecords } from './process-group-records';

export interface ProcessDriverOptions {
  /** Relative `file:` images resolve against it; default process.cwd(). */
  rootDir?: string;
  /** Images must lie inside it (after following links); default rootDir. The control plane passes KRANE_IMAGES_DIR. */
  imagesDir?: string;
  /** Address instances listen on and are reported at; default 127.0.0.1. */
  host?: string;
  /** Time between SIGTERM and SIGKILL on delete; default 5 s. */
  gracePeriodMs?: number;
  /** Health check interval while an instance is pending; default 200 ms. */
  healthIntervalMs?: number;
  /** Health check interval once it is running; default 2 s. */
  runningHealthIntervalMs?: number;
  /** Timeout of one health check; default 1 s. */
  healthTimeoutMs?: number;
  /** Consecutive failed checks that take a running instance back to pending; default 3. */
  unhealthyThreshold?: number;
  /** Output kept per instance; default 64 KiB. */
  logLimitBytes?: number;
  /**
   * Where the process groups of running instances are recorded (`process-group-records.ts`); a driver started on it
   * first stops those an earlier run left running when it was killed. Default: nothing recorded.
   */
  stateDir?: string;
}

interface DeploymentRecord {
  spec: KraneDeploymentSpec;
  instances: ProcessInstance[];
  /** Settles once every replica has been spawned (or spawning failed and was cleaned up). */
  started: Promise<void>;
  deleting?: Promise<void>;
}

// Only what a program needs to run: the control plane's own secrets (database URL, API keys) stay out of user apps.
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'TEMP', 'TMP', 'SYSTEMROOT'];

/**
 * The embedded driver: each replica is a local child process on a free loopback port, with `PORT`,
 * `DEPLOYMENT_ID` and `INSTANCE_ID` in its environment, health-checked over HTTP. State lives in memory only:
 * the processes belong to this driver and end with it.
 */
export class ProcessDriver implements KraneDriver {
  private readonly deployments = new Map<string, DeploymentRecord>();
  private readonly portsInUse = new Set<number>();
  private readonly rootDir: string;
  private readonly imagesDir: string;
  private readonly host: string;
  private readonly gracePeriodMs: number;
  private closed = false;
  private shuttingDown: Promise<void> | undefined;
  private readonly records: ProcessGroupRecords | undefined;
  /** How many instances' process groups, left running by an earlier run killed on the same state directory, were stopped. */
  readonly leftoversStopped: number;

  constructor(private readonly options: ProcessDriverOptions = {}) {
    this.rootDir = options.rootDir ?? process.cwd();
    this.imagesDir = options.imagesDir ?? this.rootDir;
    this.host = options.host ?? '127.0.0.1';
    this.gracePeriodMs = options.gracePeriodMs ?? 5_000;
    this.records = options.stateDir === undefined ? undefined : new ProcessGroupRecords(options.stateDir);
    this.leftoversStopped = this.records?.stopLeftovers() ?? 0;
  }

  async create(spec: KraneDeploymentSpec): Promise<{ alreadyExisted: boolean }> {
    this.ensureOpen();
    const key = keyOf(spec.namespace, spec.deploymentId);
    const existing = this.deployments.get(key);
    if (existing) {
      if (existing.deleting) {
        throw new DeploymentConflictError(`deployment ${key} is being deleted; create it again once it is gone`);
      }
      await existing.started;
      return { alreadyExisted: true };
    }
    const launch = resolveFileImage(spec.image, this.rootDir, this.imagesDir);
    // Registered before the first await so a concurrent create of the same deployment finds it and starts nothing.
    const record: DeploymentRecord = { spec, instances: [], started: Promise.resolve() };
    this.deployments.set(key, record);
    record.started = this.startReplicas(record, launch);
    try {
      await record.started;
    } catch (err) {
      this.deployments.delete(key);
      await Promise.all(record.instances.map((instance) => this.stopInstance(instance, 0)));
      throw err;
    }
    return { alreadyExisted: false };
  }

  async get(namespace: string, deploymentId: string): Promise<KraneInstance[]> {
    const record = await this.startedRecord(namespace, deploymentId);
    return record.instances.map((instance) => {
      const failure = instance.failure;
      return { id: instance.id, address: instance.address, status: instance.status, ...(failure ? { failure } : {}) };
    });
  }

  async delete(namespace: string, deploymentId: string): Promise<void> {
    const key = keyOf(namespace, deploymentId);
    const record = this.deployments.get(key);
    if (!record) throw new DeploymentNotFoundError(namespace, deploymentId);
    await this.deleteRecord(key, record);
  }

  async logs(namespace: string, deploymentId: string): Promise<Record<string, string>> {
    const record = await this.startedRecord(namespace, deploymentId);
    return Object.fromEntries(record.instances.map((instance) => [instance.id, instance.logs()]));
  }

  /** PID of each instance process, by instance id: for operators and for tests that crash an instance on purpose. */
  async pids(namespace: string, deploymentId: string): Promise<Record<string, number>> {
    const record = await this.startedRecord(namespace, deploymentId);
    const pids: Record<string, number> = {};
    for (const instance of record.instances) if (instance.pid !== undefined) pids[instance.id] = instance.pid;
    return pids;
  }

  shutdown(): Promise<void> {
    this.closed = true;
    this.shuttingDown ??= Promise.all(
      [...this.deployments.entries()].map(([key, record]) => this.deleteRecord(key, record)),
    ).then(() => undefined);
    return this.shuttingDown;
  }

  private ensureOpen(): void {
    if (this.closed) throw new DriverUnavailableError('the process driver has shut down');
  }

  private async startedRecord(namespace: string, deploymentId: string): Promise<DeploymentRecord> {
    const record = this.deployments.get(keyOf(namespace, deploymentId));
    if (!record) throw new DeploymentNotFoundError(namespace, deploymentId);
    await record.started.catch(() => undefined);
    return record;
  }

  private deleteRecord(key: string, record: DeploymentRecord): Promise<void> {
    record.deleting ??= (async () => {
      await record.started.catch(() => undefined);
      await Promise.all(record.instances.map((instance) => this.stopInstance(instance, this.gracePeriodMs)));
      this.deployments.delete(key);
    })();
    return record.deleting;
  }

  private async stopInstance(instance: ProcessInstance, graceMs: number): Promise<void> {
    await instance.stop(graceMs);
    if (instance.pid !== undefined) this.records?.remove(instance.pid);
    this.portsInUse.delete(instance.port);
  }

  private async startReplicas(record: DeploymentRecord, launch: LaunchCommand): Promise<void> {
    const { spec } = record;
    for (let index = 0; index < spec.replicas; index++) {
      const port = await this.reservePort();
      const id = `${spec.deploymentId}-${index}-${randomBytes(3).toString('hex')}`;
      const instance = ProcessInstance.start({
          id,
          host: this.host,
          port,
          launch,
          env: this.environment(spec, launch, id, port),
          healthCheckPath: spec.healthCheckPath || DEFAULT_HEALTH_CHECK_PATH,
          healthIntervalMs: this.options.healthIntervalMs ?? 200,
          runningHealthIntervalMs: this.options.runningHealthIntervalMs ?? 2_000,
          healthTimeoutMs: this.options.healthTimeoutMs ?? 1_000,
          unhealthyThreshold: this.options.unhealthyThreshold ?? 3,
          logLimitBytes: this.options.logLimitBytes ?? 64 * 1024,
      });
      // Its group's id is its PID (it leads a group of its own).
      if (instance.pid !== undefined) this.records?.add(instance.pid, id);
      record.instances.push(instance);
    }
  }

  /** A free port no other instance of ours holds: two replicas asking in a row could be handed the same one. */
  private async reservePort(): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await freePort(this.host);
      if (!this.portsInUse.has(port)) {
        this.portsInUse.add(port);
        return port;
      }
    }
    throw new DriverResourceExhaustedError(`no free port on ${this.host}`);
  }

  private environment(spec: KraneDeploymentSpec, launch: LaunchCommand, instanceId: string, port: number): Record<string, string> {
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    if (launch.extraPath) env.PATH = env.PATH ? `${launch.extraPath}:${env.PATH}` : launch.extraPath;
    Object.assign(env, spec.env ?? {});
    // Ours win over the spec's: the app must listen where we health-check it and know who it is.
    env.PORT = String(port);
    env.HOST = this.host;
    env.DEPLOYMENT_ID = spec.deploymentId;
    env.INSTANCE_ID = instanceId;
    return env;
  }
}

function keyOf(namespace: string, deploymentId: string): string {
  return `${namespace}/${deploymentId}`;
}
