import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeploymentNotFoundError, DriverUnavailableError, KraneDriver } from '../driver';
import { DEFAULT_HEALTH_CHECK_PATH, KraneDeploymentSpec, KraneInstance } from '../types';

/** How an instance of the instant driver behaves: up at once, or never healthy (Krane keeps it `pending`). */
export type InstantReadiness = 'ready' | 'never-ready';

/** The spec env variable that picks `never-ready` for one deployment (any other value, or none: `ready`). */
export const INSTANT_READINESS_ENV = 'INSTANT_KRANE';

export interface InstantDriverOptions {
  /** Decides per deployment; default: `never-ready` when the spec's env has INSTANT_KRANE=never-ready. */
  readiness?: (spec: KraneDeploymentSpec) => InstantReadiness;
}

interface InstantInstance {
  id: string;
  address: string;
  status: KraneInstance['status'];
  server?: http.Server;
}

// Never-ready instances are reported at an address nothing listens on: Krane reports them pending, so nobody
// connects, and a thousand of them cost no sockets.
const PARKED_ADDRESS = '127.0.0.1:9';

/**
 * A Krane driver with no start-up: `create` returns with every replica RUNNING, each a tiny HTTP server in this
 * process (health path 200, `/openapi.json` 404, anything else a JSON line naming the deployment and instance), or,
 * in `never-ready` mode, with every replica PENDING forever. For measuring the control plane without an app's own
 * start-up (`npm run bench`), and for load tests that poll many deployments at once.
 */
export class InstantDriver implements KraneDriver {
  private readonly deployments = new Map<string, InstantInstance[]>();
  private stopped = false;
  /** How many times `get` was asked (a poll asks once): what the benchmark divides the polls' CPU time by. */
  getCalls = 0;

  constructor(private readonly options: InstantDriverOptions = {}) {}

  private readinessOf(spec: KraneDeploymentSpec): InstantReadiness {
    if (this.options.readiness) return this.options.readiness(spec);
    return spec.env?.[INSTANT_READINESS_ENV] === 'never-ready' ? 'never-ready' : 'ready';
  }

  async create(spec: KraneDeploymentSpec): Promise<{ alreadyExisted: boolean }> {
    this.ensureOpen();
    const key = keyOf(spec.namespace, spec.deploymentId);
    if (this.deployments.has(key)) return { alreadyExisted: true };
    const instances: InstantInstance[] = [];
    // Registered before the first await, so a concurrent create of the same deployment starts nothing.
    this.deployments.set(key, instances);
    const readiness = this.readinessOf(spec);
    for (let n = 0; n < spec.replicas; n++) {
      const id = `${spec.deploymentId}-${n}`;
      if (readiness === 'never-ready') {
        instances.push({ id, address: PARKED_ADDRESS, status: 'pending' });
        continue;
      }
      const server = await serveTrivialApp(spec, id);
      instances.push({ id, address: `127.0.0.1:${(server.address() as AddressInfo).port}`, status: 'running', server });
    }
    return { alreadyExisted: false };
  }

  async get(namespace: string, deploymentId: string): Promise<KraneInstance[]> {
    this.getCalls++;
    this.ensureOpen();
    const instances = this.deployments.get(keyOf(namespace, deploymentId));
    if (!instances) throw new DeploymentNotFoundError(namespace, deploymentId);
    return instances.map(({ id, address, status }) => ({ id, address, status }));
  }

  async delete(namespace: string, deploymentId: string): Promise<void> {
    this.ensureOpen();
    const key = keyOf(namespace, deploymentId);
    const instances = this.deployments.get(key);
    if (!instances) throw new DeploymentNotFoundError(namespace, deploymentId);
    this.deployments.delete(key);
    await Promise.all(instances.map((i) => closeServer(i.server)));
  }

  /** Stops every deployment of a namespace (a load test done with a workspace); returns how many it stopped. */
  async deleteNamespace(namespace: string): Promise<number> {
    const keys = [...this.deployments.keys()].filter((k) => k.startsWith(`${namespace}/`));
    await Promise.all(keys.map((k) => this.delete(namespace, k.slice(namespace.length + 1))));
    return keys.length;
  }

  /** Deployments it holds now. */
  get size(): number {
    return this.deployments.size;
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const all = [...this.deployments.values()].flat();
    this.deployments.clear();
    await Promise.all(all.map((i) => closeServer(i.server)));
  }

  private ensureOpen(): void {
    if (this.stopped) throw new DriverUnavailableError('the instant driver is shut down');
  }
}

function keyOf(namespace: string, deploymentId: string): string {
  return `${namespace}/${deploymentId}`;
}

async function serveTrivialApp(spec: KraneDeploymentSpec, instanceId: string): Promise<http.Server> {
  const healthPath = spec.healthCheckPath ?? DEFAULT_HEALTH_CHECK_PATH;
  const body = JSON.stringify({ deploymentId: spec.deploymentId, instanceId });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === healthPath) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    else if (path === '/openapi.json') res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
