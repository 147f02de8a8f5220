import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DockerDriver } from '../../src/krane/drivers/docker-driver';
import { cancelDeployment } from '../../src/operations/cancel-deployment';
import { connectTestDocker, describeWithDocker, TEST_IMAGES, TestDocker } from '../support/docker-for-tests';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';
import { eventually } from '../support/http-get';
import { seedProject } from '../support/seed';

/** A registry on loopback that knows no image: counts what the daemon asks it. */
async function emptyRegistry(): Promise<{ port: number; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v2/') return res.end('{}');
    res.statusCode = 404;
    res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describeWithDocker('container deploys that cannot run (docker driver)', () => {
  let td: TestDocker;
  let h: EngineHarness<DockerDriver>;
  let workspaceId: string;

  beforeAll(async () => {
    td = await connectTestDocker();
    h = await startEngineHarness({ kraneDriver: await td.startDriver(), settings: { pollDeadlineMs: 120_000 } });
    workspaceId = (await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' })).workspace.id;
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await td?.cleanup();
  });

  const containersOf = async (deploymentId: string) => (await td.containers()).filter((c) => c.Labels['deployflow.deployment'] === deploymentId);
  const compensated = (deploymentId: string) =>
    eventually(async () => {
      const d = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
      if (!d.compensatedAt) throw new Error('not compensated yet');
    }, 30_000);

  it('a crashing image fails poll-instances with its exit code and log tail, and is compensated: no container left', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: TEST_IMAGES.crasher }, workspaceId);
    const op = await h.waitForOperation(operationId, 60_000);
    expect(op).toMatchObject({ state: 'failed', errorCode: 'instance_exited' });
    const d = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(d).toMatchObject({ status: 'failed', failedStep: 'poll-instances' });
    expect(d.statusReason).toContain('exited with code 3; last output:');
    expect(d.statusReason).toContain('crasher: starting');
    expect(d.statusReason).toContain('crasher: cannot read /etc/app/config.yml');
    await compensated(deploymentId);
    expect(await containersOf(deploymentId)).toEqual([]);
  });

  it('a crash after thousands of lines of output is reported with a bounded tail ending in the last line', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: TEST_IMAGES.noisyCrasher }, workspaceId);
    expect(await h.waitForOperation(operationId, 60_000)).toMatchObject({ state: 'failed', errorCode: 'instance_exited' });
    const reason = (await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).statusReason!;
    expect(reason).toContain('exited with code 4');
    expect(reason).toContain(`line 3000 ${'x'.repeat(90)}`);
    expect(reason).not.toContain('line 2900 ');
    expect(Buffer.byteLength(reason)).toBeLessThan(2_400);
    await compensated(deploymentId);
    expect(await containersOf(deploymentId)).toEqual([]);
  });

  it('an image that is not present and cannot be pulled fails create-in-krane at once, and the registry is not asked again', async () => {
    const registry = await emptyRegistry();
    try {
      const image = `127.0.0.1:${registry.port}/ghost/app:1`;
      const first = await h.deploy({ projectId: 'shop', image }, workspaceId);
      expect(await h.waitForOperation(first.operationId, 60_000)).toMatchObject({ state: 'failed', errorCode: 'krane_invalid_argument' });
      const d = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: first.deploymentId } });
      expect(d.failedStep).toBe('create-in-krane');
      expect(d.statusReason).toContain(`image ${image} is not present on the docker host and pulling it from 127.0.0.1:${registry.port} failed`);
      const step = await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: first.deploymentId, name: 'create-in-krane' } } });
      expect(step.attempts).toBe(1);
      const asked = registry.requests.length;
      expect(asked).toBeGreaterThan(0);

      // A second deploy of the same image within the minute is refused from memory: no retry storm on the registry.
      const second = await h.deploy({ projectId: 'shop', image }, workspaceId);
      expect(await h.waitForOperation(second.operationId, 60_000)).toMatchObject({ state: 'failed', errorCode: 'krane_invalid_argument' });
      expect(registry.requests.length).toBe(asked);
      expect(await containersOf(first.deploymentId)).toEqual([]);
      expect(await containersOf(second.deploymentId)).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it('a cancel while poll-instances waits removes the containers', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: TEST_IMAGES.helloV1, runtime: { replicas: 2, env: { HEALTHY_AFTER_MS: '600000' } } }, workspaceId);
    await eventually(async () => {
      const step = await h.db.prisma.deploymentStep.findUnique({ where: { ownerId_name: { ownerId: deploymentId, name: 'poll-instances' } } });
      if (step?.status !== 'running' || (await containersOf(deploymentId)).filter((c) => c.State === 'running').length !== 2) throw new Error('not polling yet');
    }, 30_000);
    await cancelDeployment(h.db.prisma, { workspaceId, requestedBy: 'key_test' }, deploymentId);
    expect(await h.waitForOperation(operationId, 60_000)).toMatchObject({ state: 'cancelled' });
    await compensated(deploymentId);
    expect(await containersOf(deploymentId)).toEqual([]);
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).status).toBe('cancelled');
  });
});
