import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { DeploymentNotFoundError, DriverUnavailableError, KraneDriver } from '../driver';
import { DEFAULT_HEALTH_CHECK_PATH, KraneDeploymentRef, KraneDeploymentSpec, KraneInstance } from '../types';
import { containerCreateOptions, DEFAULT_CONTAINER_PORT } from './docker-container-spec';
import { dockerMessage, driverErrorOf, isDockerConflict, isDockerNotFound, isDockerNotModified } from './docker-errors';
import { ContainerImageRef, parseContainerImage } from './docker-image-ref';
import { DockerImagePuller } from './docker-image-puller';
import { containerName, LABEL, labelFilters } from './docker-labels';
import { containerOutput } from './docker-logs';
import { ensureBridgeNetwork } from './docker-network';
import { InstanceHealthMonitor } from './instance-health-monitor';
import { KeyedSerial } from './keyed-serial';
import { FAILURE_TAIL_BYTES, FAILURE_TAIL_LINES, failureReason } from './log-tail';

export const DEFAULT_DOCKER_NETWORK = 'deployflow-tenants';

export interface DockerDriverOptions {
  /** Owner label of every container (KRANE_ID): the driver lists, adopts and removes only its own. */
  kraneId: string;
  /** Default: a client for DOCKER_HOST (the local unix socket when unset). */
  docker?: Docker;
  /** For messages: where the daemon is. Default DOCKER_HOST or the default socket. */
  daemon?: string;
  /** User-defined bridge network the containers join; created when missing. Default `deployflow-tenants`. */
  network?: string;
  /** Time between SIGTERM and SIGKILL on delete; default 5 s (Docker counts whole seconds). */
  gracePeriodMs?: number;
  /** Health check interval while an instance is pending; default 200 ms. */
  healthIntervalMs?: number;
  /** Health check interval once it is running; default 2 s. */
  runningHealthIntervalMs?: number;
  /** Timeout of one health check; default 1 s. */
  healthTimeoutMs?: number;
  /** Consecutive failed checks that take a running instance back to pending; default 3. */
  unhealthyThreshold?: number;
  /** Processes (and threads) a container may have; default 256. */
  pidsLimit?: number;
  /** Size of the tmpfs at /tmp; default 64 MiB (it counts against the memory limit). */
  tmpfsMib?: number;
  /** How long a create waits for an image pull before answering UNAVAILABLE (the pull goes on); default 8 s. */
  pullWaitMs?: number;
  /** A failed pull is not retried for this long; default 60 s. */
  pullFailureTtlMs?: number;
}

const LOG_KEEP_BYTES = 64 * 1024;
const LOG_KEEP_LINES = 1_000;
/** After a container exits, how long its log may still be catching up with what it wrote. */
const LOG_SETTLE_MS = 500;

function keyOf(namespace: string, deploymentId: string): string {
  return `${namespace}/${deploymentId}`;
}

function byReplica(a: Docker.ContainerInfo, b: Docker.ContainerInfo): number {
  return Number(a.Labels[LABEL.replica] ?? 0) - Number(b.Labels[LABEL.replica] ?? 0) || a.Id.localeCompare(b.Id);
}

/**
 * Runs each replica as a container on a Docker Engine (DOCKER_HOST), through the Engine API. The containers'
 * labels are the driver's whole state, so containers outlive the driver: a new driver for the same KRANE_ID
 * re-adopts them (health-checks them again, reports them as they are) and never starts them twice.
 *
 * An instance is `running` only while its container runs and its health path answers 2xx (the process driver's
 * rule, checked from this host through the port published on 127.0.0.1); a container that exited is
 * `terminating` with its exit code and the tail of its output as the instance's `failure`.
 */
export class DockerDriver implements KraneDriver {
  readonly kraneId: string;
  readonly daemon: string;
  readonly network: string;
  /** How many running containers the driver found and took over when it started. */
  adoptedAtStart = 0;
  private readonly docker: Docker;
  private readonly images: DockerImagePuller;
  private readonly serial = new KeyedSerial();
  private readonly monitors = new Map<string, { key: string; address: string; monitor: InstanceHealthMonitor }>();
  private readonly failures = new Map<string, { key: string; text: string }>();
  /** Containers being stopped on request: their exit is not a failure. */
  private readonly stopping = new Set<string>();
  private readonly gracePeriodMs: number;
  private readonly healthTimeoutMs: number;
  private networkReady: Promise<void> | undefined;
  private closed = false;

  private constructor(private readonly options: DockerDriverOptions) {
    this.kraneId = options.kraneId;
    this.docker = options.docker ?? new Docker();
    this.daemon = options.daemon ?? (process.env.DOCKER_HOST || 'unix:///var/run/docker.sock');
    this.network = options.network ?? DEFAULT_DOCKER_NETWORK;
    this.gracePeriodMs = options.gracePeriodMs ?? 5_000;
    this.healthTimeoutMs = options.healthTimeoutMs ?? 1_000;
    this.images = new DockerImagePuller(this.docker, { daemon: this.daemon, waitMs: options.pullWaitMs, failureTtlMs: options.pullFailureTtlMs });
  }

  /**
   * Connects to the daemon, makes sure the tenant network exists and re-adopts the running containers labelled
   * with this KRANE_ID. Fails with DriverUnavailableError naming DOCKER_HOST when no daemon answers.
   */
  static async start(options: DockerDriverOptions): Promise<DockerDriver> {
    const driver = new DockerDriver(options);
    try {
      await driver.docker.ping();
    } catch (err) {
      throw new DriverUnavailableError(
        `no docker daemon answers at ${driver.daemon} (${dockerMessage(err)}); start dockerd or point DOCKER_HOST at one`,
      );
    }
    await driver.ensureNetwork();
    const running = (await driver.listContainers()).filter((c) => c.State === 'running');
    for (const container of running) driver.monitorOf(container);
    driver.adoptedAtStart = running.length;
    return driver;
  }

  create(spec: KraneDeploymentSpec): Promise<{ alreadyExisted: boolean }> {
    this.ensureOpen();
    const image = parseContainerImage(spec.image);
    return this.serial.run(keyOf(spec.namespace, spec.deploymentId), async () => {
      this.ensureOpen();
      const existing = await this.listContainers(spec.namespace, spec.deploymentId);
      if (existing.length > 0) {
        // Re-adoption, not a second set: a retried create, a restart, or a start-up pass asking again.
        await this.completeReplicas(spec, image, existing);
        return { alreadyExisted: true };
      }
      await this.images.ensure(image);
      await this.ensureNetwork();
      await this.startReplicas(spec, image, [...Array(spec.replicas).keys()]);
      return { alreadyExisted: false };
    });
  }

  async get(namespace: string, deploymentId: string): Promise<KraneInstance[]> {
    this.ensureOpen();
    const containers = await this.listContainers(namespace, deploymentId);
    this.forgetGone(keyOf(namespace, deploymentId), containers);
    if (containers.length === 0) throw new DeploymentNotFoundError(namespace, deploymentId);
    return Promise.all(containers.sort(byReplica).map((c) => this.instanceOf(c)));
  }

  delete(namespace: string, deploymentId: string): Promise<void> {
    this.ensureOpen();
    const key = keyOf(namespace, deploymentId);
    return this.serial.run(key, async () => {
      const containers = await this.listContainers(namespace, deploymentId);
      if (containers.length === 0) throw new DeploymentNotFoundError(namespace, deploymentId);
      await Promise.all(containers.map((c) => this.removeContainer(c.Id, this.gracePeriodMs)));
      this.forgetGone(key, []);
    });
  }

  async logs(namespace: string, deploymentId: string): Promise<Record<string, string>> {
    this.ensureOpen();
    const containers = await this.listContainers(namespace, deploymentId);
    if (containers.length === 0) throw new DeploymentNotFoundError(namespace, deploymentId);
    const entries = await Promise.all(
      containers.map(async (c) => [this.instanceIdOf(c), await this.outputOf(c.Id, LOG_KEEP_LINES, LOG_KEEP_BYTES)] as const),
    );
    return Object.fromEntries(entries);
  }

  async list(): Promise<KraneDeploymentRef[]> {
    this.ensureOpen();
    const seen = new Map<string, KraneDeploymentRef>();
    for (const c of await this.listContainers()) {
      const namespace = c.Labels[LABEL.workspace];
      const deploymentId = c.Labels[LABEL.deployment];
      if (namespace && deploymentId) seen.set(keyOf(namespace, deploymentId), { namespace, deploymentId });
    }
    return [...seen.values()];
  }

  /** The container ids of a deployment, for operators and for tests that inspect or kill a container. */
  async containerIds(namespace: string, deploymentId: string): Promise<string[]> {
    return (await this.listContainers(namespace, deploymentId)).sort(byReplica).map((c) => c.Id);
  }

  /** Stops health checking and refuses further calls. The containers keep running: the next start re-adopts them. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const { monitor } of this.monitors.values()) monitor.stop();
    this.monitors.clear();
  }

  private ensureOpen(): void {
    if (this.closed) throw new DriverUnavailableError('the docker driver has shut down');
  }

  private ensureNetwork(): Promise<void> {
    this.networkReady ??= ensureBridgeNetwork(this.docker, this.network, this.kraneId, this.daemon).catch((err) => {
      this.networkReady = undefined; // try again on the next create
      throw err;
    });
    return this.networkReady;
  }

  private async listContainers(namespace?: string, deploymentId?: string): Promise<Docker.ContainerInfo[]> {
    try {
      return await this.docker.listContainers({ all: true, filters: labelFilters(this.kraneId, namespace, deploymentId) });
    } catch (err) {
      throw driverErrorOf(err, 'listing containers', this.daemon);
    }
  }

  /** Creates the replicas a crash between two container creations left missing, and starts any left `created`. */
  private async completeReplicas(spec: KraneDeploymentSpec, image: ContainerImageRef, existing: Docker.ContainerInfo[]): Promise<void> {
    const present = new Set(existing.map((c) => Number(c.Labels[LABEL.replica])));
    const missing = [...Array(spec.replicas).keys()].filter((index) => !present.has(index));
    for (const c of existing.filter((c) => c.State === 'created')) {
      try {
        await this.docker.getContainer(c.Id).start();
      } catch (err) {
        if (!isDockerNotModified(err) && !isDockerNotFound(err)) throw driverErrorOf(err, `starting container ${c.Names[0] ?? c.Id}`, this.daemon);
      }
    }
    if (missing.length === 0) return;
    await this.images.ensure(image);
    await this.ensureNetwork();
    await this.startReplicas(spec, image, missing);
  }

  /** Creates and starts the given replicas; if any fails, removes the ones this call made and rethrows. */
  private async startReplicas(spec: KraneDeploymentSpec, image: ContainerImageRef, indexes: number[]): Promise<void> {
    const outcomes = await Promise.allSettled(indexes.map((index) => this.startReplica(spec, image, index)));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (!failed) return;
    const made = outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value ? [o.value] : []));
    await Promise.all(made.map((id) => this.removeContainer(id, 0).catch(() => undefined)));
    throw failed.reason;
  }

  /** The new container's id, or undefined when a container of that name exists already (another create made it). */
  private async startReplica(spec: KraneDeploymentSpec, image: ContainerImageRef, index: number): Promise<string | undefined> {
    const name = containerName(this.kraneId, spec.namespace, spec.deploymentId, index);
    const instanceId = `${spec.deploymentId}-${index}-${randomBytes(3).toString('hex')}`;
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(
        containerCreateOptions({
          spec,
          image: image.reference,
          name,
          instanceId,
          index,
          owner: this.kraneId,
          network: this.network,
          pidsLimit: this.options.pidsLimit ?? 256,
          tmpfsMib: this.options.tmpfsMib ?? 64,
        }),
      );
    } catch (err) {
      if (isDockerConflict(err)) return undefined;
      throw driverErrorOf(err, `creating container ${name} from ${image.reference}`, this.daemon);
    }
    try {
      await container.start();
    } catch (err) {
      await this.removeContainer(container.id, 0).catch(() => undefined);
      throw driverErrorOf(err, `starting container ${name} from ${image.reference}`, this.daemon);
    }
    return container.id;
  }

  /** Stop with a grace period (SIGTERM, SIGKILL after it), then remove with its anonymous volumes. Gone counts as done. */
  private async removeContainer(id: string, graceMs: number): Promise<void> {
    this.stopping.add(id);
    this.dropMonitor(id);
    const container = this.docker.getContainer(id);
    try {
      if (graceMs > 0) {
        try {
          await container.stop({ t: Math.ceil(graceMs / 1000) });
        } catch (err) {
          if (!isDockerNotModified(err) && !isDockerNotFound(err)) throw driverErrorOf(err, `stopping container ${id.slice(0, 12)}`, this.daemon);
        }
      }
      try {
        await container.remove({ force: true, v: true });
      } catch (err) {
        if (isDockerNotFound(err)) return;
        // 409: a removal is already in progress (another delete); wait until it is gone.
        if (!isDockerConflict(err)) throw driverErrorOf(err, `removing container ${id.slice(0, 12)}`, this.daemon);
        await this.waitUntilGone(container);
      }
    } finally {
      this.stopping.delete(id);
      this.failures.delete(id);
    }
  }

  private async waitUntilGone(container: Docker.Container): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        await container.inspect();
      } catch (err) {
        if (isDockerNotFound(err)) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`container ${container.id.slice(0, 12)} is still being removed after 30 s`);
  }

  private instanceIdOf(c: Docker.ContainerInfo): string {
    return c.Labels[LABEL.instance] || c.Id.slice(0, 12);
  }

  /** `127.0.0.1:<port>` where the app's port is published, or '' while it is not (not started, exited). */
  private addressOf(c: Docker.ContainerInfo): string {
    const port = Number(c.Labels[LABEL.port] || DEFAULT_CONTAINER_PORT);
    const published = c.Ports.find((p) => p.PrivatePort === port && p.Type === 'tcp' && p.IP === '127.0.0.1' && p.PublicPort);
    return published ? `127.0.0.1:${published.PublicPort}` : '';
  }

  private async instanceOf(c: Docker.ContainerInfo): Promise<KraneInstance> {
    const id = this.instanceIdOf(c);
    const address = this.addressOf(c);
    if (c.State === 'running') {
      if (!address || this.stopping.has(c.Id)) return { id, address, status: 'pending' };
      const monitor = this.monitorOf(c);
      // A container just adopted reports what it is, not `pending` until the background check comes round.
      await Promise.race([monitor.firstCheck, new Promise((resolve) => setTimeout(resolve, this.healthTimeoutMs + 500).unref())]);
      return { id, address, status: monitor.healthy ? 'running' : 'pending' };
    }
    if (c.State === 'created' || c.State === 'paused') return { id, address, status: 'pending' };
    if ((c.State === 'exited' || c.State === 'dead') && !this.stopping.has(c.Id)) {
      const failure = await this.failureOf(c);
      return { id, address, status: 'terminating', ...(failure ? { failure } : {}) };
    }
    return { id, address, status: 'terminating' };
  }

  private monitorOf(c: Docker.ContainerInfo): InstanceHealthMonitor {
    const address = this.addressOf(c);
    const known = this.monitors.get(c.Id);
    if (known && known.address === address) return known.monitor;
    known?.monitor.stop();
    const [host, port] = address.split(':');
    const monitor = new InstanceHealthMonitor(host, Number(port), c.Labels[LABEL.healthCheckPath] || DEFAULT_HEALTH_CHECK_PATH, {
      intervalMs: this.options.healthIntervalMs ?? 200,
      runningIntervalMs: this.options.runningHealthIntervalMs ?? 2_000,
      timeoutMs: this.healthTimeoutMs,
      unhealthyThreshold: this.options.unhealthyThreshold ?? 3,
    });
    const key = keyOf(c.Labels[LABEL.workspace] ?? '', c.Labels[LABEL.deployment] ?? '');
    this.monitors.set(c.Id, { key, address, monitor });
    return monitor;
  }

  private dropMonitor(id: string): void {
    this.monitors.get(id)?.monitor.stop();
    this.monitors.delete(id);
  }

  /** Monitors and remembered failures of this deployment's containers that no longer exist or no longer run. */
  private forgetGone(key: string, containers: Docker.ContainerInfo[]): void {
    const running = new Set(containers.filter((c) => c.State === 'running').map((c) => c.Id));
    const present = new Set(containers.map((c) => c.Id));
    for (const [id, entry] of this.monitors) if (entry.key === key && !running.has(id)) this.dropMonitor(id);
    for (const [id, entry] of this.failures) if (entry.key === key && !present.has(id)) this.failures.delete(id);
  }

  /** How an exited container ended: its exit code (and OOM kill), then the tail of its output. Fetched once. */
  private async failureOf(c: Docker.ContainerInfo): Promise<string | undefined> {
    const known = this.failures.get(c.Id);
    if (known) return known.text;
    try {
      const info = await this.docker.getContainer(c.Id).inspect();
      const state = info.State;
      let ending = `exited with code ${state.ExitCode}`;
      if (state.OOMKilled) ending += ' (killed: out of memory)';
      if (state.Error) ending += ` (${state.Error})`;
      const failure = failureReason(ending, await this.settledOutputOf(c.Id, Date.parse(state.FinishedAt)));
      this.failures.set(c.Id, { key: keyOf(c.Labels[LABEL.workspace] ?? '', c.Labels[LABEL.deployment] ?? ''), text: failure });
      return failure;
    } catch (err) {
      if (isDockerNotFound(err)) return undefined; // removed meanwhile
      throw driverErrorOf(err, `inspecting container ${c.Id.slice(0, 12)}`, this.daemon);
    }
  }

  /**
   * The tail of an exited container's output once Docker has finished copying it: the container is `exited` as soon as
   * its process ends, while the daemon may still be writing the last lines to the log. Read after a short settle time,
   * then again until two reads agree (bounded), so the failure quotes the real last lines.
   */
  private async settledOutputOf(id: string, finishedAt: number): Promise<string> {
    const settleUntil = (Number.isFinite(finishedAt) ? finishedAt : Date.now()) + LOG_SETTLE_MS;
    if (settleUntil > Date.now()) await new Promise((resolve) => setTimeout(resolve, Math.min(LOG_SETTLE_MS, settleUntil - Date.now())));
    let previous = await this.outputOf(id, FAILURE_TAIL_LINES, FAILURE_TAIL_BYTES);
    for (let read = 0; read < 5; read++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await this.outputOf(id, FAILURE_TAIL_LINES, FAILURE_TAIL_BYTES);
      if (now === previous) break;
      previous = now;
    }
    return previous;
  }

  private async outputOf(id: string, lines: number, maxBytes: number): Promise<string> {
    try {
      return await containerOutput(this.docker.getContainer(id), lines, maxBytes);
    } catch (err) {
      if (isDockerNotFound(err)) return '';
      throw driverErrorOf(err, `reading the log of container ${id.slice(0, 12)}`, this.daemon);
    }
  }
}
