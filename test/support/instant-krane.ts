import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKraneToken } from '../../src/krane/auth';
import { createKraneClient, KraneClient } from '../../src/krane/client';
import { DeploymentNotFoundError, DriverUnavailableError, KraneDriver } from '../../src/krane/driver';
import { startKraneServer } from '../../src/krane/server';
import { DEFAULT_HEALTH_CHECK_PATH, KraneDeploymentSpec, KraneInstance } from '../../src/krane/types';

interface Instance {
  id: string;
  server: http.Server;
  address: string;
  healthy: boolean;
}

/**
 * A Krane driver whose instances are tiny HTTP servers in this process, up the moment `create` returns: for tests that
 * run hundreds of deploys and care about the control plane, not about starting apps. Each instance answers the health
 * path with 200 (503 with `FAIL_HEALTH=1` in the spec's env, and is then reported `pending`, as Krane reports an
 * instance that never gets healthy), the OpenAPI path with 404, and anything else with its deployment and instance id.
 */
export class InstantKraneDriver implements KraneDriver {
  private readonly deployments = new Map<string, Instance[]>();
  private stopped = false;

  private key(namespace: string, deploymentId: string): string {
    return `${namespace}/${deploymentId}`;
  }

  async create(spec: KraneDeploymentSpec): Promise<{ alreadyExisted: boolean }> {
    if (this.stopped) throw new DriverUnavailableError('driver is shut down');
    const key = this.key(spec.namespace, spec.deploymentId);
    if (this.deployments.has(key)) return { alreadyExisted: true };
    const instances: Instance[] = [];
    this.deployments.set(key, instances);
    const healthy = spec.env?.FAIL_HEALTH !== '1';
    const healthPath = spec.healthCheckPath ?? DEFAULT_HEALTH_CHECK_PATH;
    for (let n = 0; n < spec.replicas; n++) {
      const id = `${spec.deploymentId}-${n}`;
      const server = http.createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (path === healthPath) {
          res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(healthy ? 'ok' : 'unhealthy');
          return;
        }
        if (path === '/openapi.json') {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ deploymentId: spec.deploymentId, instanceId: id }));
      });
      server.keepAliveTimeout = 1_000;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      instances.push({ id, server, address: `127.0.0.1:${(server.address() as AddressInfo).port}`, healthy });
    }
    return { alreadyExisted: false };
  }

  async get(namespace: string, deploymentId: string): Promise<KraneInstance[]> {
    const instances = this.deployments.get(this.key(namespace, deploymentId));
    if (!instances) throw new DeploymentNotFoundError(namespace, deploymentId);
    return instances.map((i) => ({ id: i.id, address: i.address, status: i.healthy ? 'running' : 'pending' }));
  }

  async delete(namespace: string, deploymentId: string): Promise<void> {
    const key = this.key(namespace, deploymentId);
    const instances = this.deployments.get(key);
    if (!instances) throw new DeploymentNotFoundError(namespace, deploymentId);
    this.deployments.delete(key);
    await Promise.all(instances.map((i) => close(i.server)));
  }

  /** Stops every instance of a namespace (a test done with its workspace); returns how many deployments it stopped. */
  async deleteNamespace(namespace: string): Promise<number> {
    const keys = [...this.deployments.keys()].filter((k) => k.startsWith(`${namespace}/`));
    await Promise.all(keys.map((k) => this.delete(namespace, k.slice(namespace.length + 1))));
    return keys.length;
  }

  get size(): number {
    return this.deployments.size;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    const all = [...this.deployments.values()].flat();
    this.deployments.clear();
    await Promise.all(all.map((i) => close(i.server)));
  }
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The instant driver behind the real Krane gRPC server, and a client for it: the engine reaches it as any Krane. */
export async function startInstantKrane(): Promise<{ driver: InstantKraneDriver; client: KraneClient; url: string; stop(): Promise<void> }> {
  const driver = new InstantKraneDriver();
  const token = generateKraneToken();
  const server = await startKraneServer({ driver, token });
  const client = createKraneClient(server.url, { token });
  return {
    driver,
    client,
    url: server.url,
    async stop() {
      client.close();
      await server.stop();
      await driver.shutdown();
    },
  };
}
