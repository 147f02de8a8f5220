import { Status } from 'nice-grpc';
import { createKraneClient, KraneClient } from '../../src/krane/client';
import {
  DeploymentConflictError,
  DeploymentNotFoundError,
  DriverResourceExhaustedError,
  DriverUnavailableError,
  InvalidSpecError,
  KraneDriver,
} from '../../src/krane/driver';
import { RunningKraneServer, startKraneServer } from '../../src/krane/server';
import { KraneDeploymentSpec, KraneInstance } from '../../src/krane/types';
import { helloSpec, TEST_KRANE_TOKEN } from './krane-test-kit';

/**
 * A second driver, written here against the interface only: the server serves it unchanged, which is what a
 * docker or kubernetes driver will rely on. It fails create with whatever error the test loads into it.
 */
class ScriptedDriver implements KraneDriver {
  nextCreateError: Error | undefined;
  readonly created: KraneDeploymentSpec[] = [];

  async create(spec: KraneDeploymentSpec): Promise<{ alreadyExisted: boolean }> {
    if (this.nextCreateError) throw this.nextCreateError;
    const alreadyExisted = this.created.some((s) => s.deploymentId === spec.deploymentId);
    if (!alreadyExisted) this.created.push(spec);
    return { alreadyExisted };
  }
  async get(namespace: string, deploymentId: string): Promise<KraneInstance[]> {
    if (!this.created.some((s) => s.namespace === namespace && s.deploymentId === deploymentId)) {
      throw new DeploymentNotFoundError(namespace, deploymentId);
    }
    return [{ id: `${deploymentId}-a`, address: '10.1.2.3:8080', status: 'running' }];
  }
  async delete(namespace: string, deploymentId: string): Promise<void> {
    throw new DeploymentNotFoundError(namespace, deploymentId);
  }
  async shutdown(): Promise<void> {}
}

describe('errors a driver throws', () => {
  const driver = new ScriptedDriver();
  let server: RunningKraneServer;
  let client: KraneClient;

  beforeAll(async () => {
    server = await startKraneServer({ driver, token: TEST_KRANE_TOKEN });
    client = createKraneClient(server.url, { token: TEST_KRANE_TOKEN });
  });

  afterAll(async () => {
    client.close();
    await server.stop();
  });

  afterEach(() => {
    driver.nextCreateError = undefined;
  });

  it.each([
    [new InvalidSpecError('image x is bad'), Status.INVALID_ARGUMENT, false],
    [new DeploymentConflictError('being deleted'), Status.ABORTED, true],
    [new DriverUnavailableError('backend down'), Status.UNAVAILABLE, true],
    [new DriverResourceExhaustedError('no ports'), Status.RESOURCE_EXHAUSTED, true],
    [new Error('a bug in the driver'), Status.INTERNAL, true],
  ])('%p reaches the client as its gRPC status, retryable = %p', async (thrown, grpcCode, retryable) => {
    driver.nextCreateError = thrown;
    const error = await client.create(helloSpec('dep_scripted')).catch((err: unknown) => err);
    expect(error).toMatchObject({ grpcCode, retryable, call: 'CreateDeployment', target: 'acme/dep_scripted' });
    // The driver's words travel with the error for the operator's log (`internal`); what a tenant may see is the
    // catalogue's public message (test/errors/driver-internals-reach-the-log-never-the-tenant.test.ts).
    expect(error).toMatchObject({ internal: expect.stringContaining(thrown.message) });
  });

  it('passes the whole spec through, reports ALREADY_EXISTS as alreadyExisted and NOT_FOUND on delete as success', async () => {
    const spec = helloSpec('dep_passthrough', { replicas: 4, port: 3000, env: { A: '1' }, healthCheckPath: '/up' });
    expect(await client.create(spec)).toEqual({ alreadyExisted: false });
    expect(driver.created.at(-1)).toEqual(spec);
    expect(await client.create(spec)).toEqual({ alreadyExisted: true });
    expect(await client.get('acme', 'dep_passthrough')).toEqual([{ id: 'dep_passthrough-a', address: '10.1.2.3:8080', status: 'running' }]);
    await expect(client.delete('acme', 'dep_passthrough')).resolves.toBeUndefined();
  });
});
