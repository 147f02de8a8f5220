import type { DockerDriver } from '../../src/krane/drivers/docker-driver';
import { requestSwitch } from '../../src/operations/request-switch';
import { connectTestDocker, describeWithDocker, TEST_IMAGES, TestDocker } from '../support/docker-for-tests';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';
import { eventually, getViaHost } from '../support/http-get';
import { seedProject } from '../support/seed';

describeWithDocker('container images deployed end to end (docker driver)', () => {
  let td: TestDocker;
  let h: EngineHarness<DockerDriver>;

  beforeAll(async () => {
    td = await connectTestDocker();
    h = await startEngineHarness({ kraneDriver: await td.startDriver(), settings: { pollDeadlineMs: 60_000 } });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await td?.cleanup();
  });

  it('serves image v1, then v2, then v1 again after a rollback, through the gateway', async () => {
    const gateway = await h.startGateway();
    const { workspace } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const caller = { workspaceId: workspace.id, requestedBy: 'key_test' };
    const deploy = async (image: string) => {
      const r = await h.deploy({ projectId: 'shop', image, runtime: { cpuMillicores: 250, memoryMib: 128 } }, workspace.id);
      const op = await h.waitForOperation(r.operationId, 60_000);
      expect(op).toMatchObject({ state: 'succeeded', errorMessage: null });
      return r.deploymentId;
    };
    const live = 'shop-acme.deploy.localhost';
    const serves = (deploymentId: string, version: string) =>
      eventually(async () => {
        const r = await getViaHost(gateway.port, live);
        if (r.status !== 200 || r.json().version !== version || r.headers['x-deployment-id'] !== deploymentId) {
          throw new Error(`${live}: ${r.status} ${r.body}`);
        }
      }, 15_000);

    const v1 = await deploy(TEST_IMAGES.helloV1);
    await serves(v1, '1.0.0');
    const instances = await h.db.prisma.instance.findMany({ where: { deploymentId: v1 } });
    expect(instances.map((i) => i.address)).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    // The app's OpenAPI document was scraped from the container.
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: v1 } })).openapiSpec).toContain('hello-api');

    const v2 = await deploy(TEST_IMAGES.helloV2);
    await serves(v2, '2.0.0');

    const rollback = await requestSwitch({ prisma: h.db.prisma, enqueue: h.engine.enqueue }, caller, {
      kind: 'rollback',
      projectId: 'shop',
      targetDeploymentId: v1,
      expectedSourceDeploymentId: v2,
      reason: 'v2 misbehaves',
    });
    expect((await h.waitForOperation(rollback.operationId)).state).toBe('succeeded');
    await serves(v1, '1.0.0');

    // Both deployments keep their containers: v2 still has its own hostname.
    const running = await td.containers();
    expect(new Set(running.map((c) => c.Labels['deployflow.deployment']))).toEqual(new Set([v1, v2]));
    expect(running.every((c) => c.State === 'running' && c.Labels['deployflow.workspace'] === 'acme')).toBe(true);
  });
});
