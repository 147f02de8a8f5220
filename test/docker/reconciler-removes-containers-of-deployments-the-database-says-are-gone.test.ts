import { reconcileOnce } from '../../src/app/reconciler';
import { newId } from '../../src/ids';
import type { DockerDriver } from '../../src/krane/drivers/docker-driver';
import { connectTestDocker, describeWithDocker, TEST_IMAGES, TestDocker } from '../support/docker-for-tests';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

describeWithDocker('the reconciler with the docker driver', () => {
  let td: TestDocker;
  let h: EngineHarness<DockerDriver>;

  beforeAll(async () => {
    td = await connectTestDocker();
    h = await startEngineHarness({ kraneDriver: await td.startDriver(), workers: true, settings: { pollDeadlineMs: 60_000 } });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await td?.cleanup();
  });

  it('removes the containers of deployments that are gone or failed and compensated, and keeps live and in-flight ones', async () => {
    const { workspace, project, production } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const live = await h.deploy({ projectId: 'shop', image: TEST_IMAGES.helloV1 }, workspace.id);
    expect((await h.waitForOperation(live.operationId, 60_000)).state).toBe('succeeded');

    const row = (status: 'failed' | 'deploying', compensatedAt: Date | null) =>
      h.db.prisma.deployment.create({
        data: { id: newId('dep'), projectId: project.id, environmentId: production.id, image: TEST_IMAGES.helloV1, status, compensatedAt },
      });
    const failedAndCompensated = await row('failed', new Date());
    const failedNotYetCompensated = await row('failed', null);
    const inFlight = await row('deploying', null);
    const create = (namespace: string, deploymentId: string) =>
      h.krane.client.create({ namespace, deploymentId, image: TEST_IMAGES.helloV1, replicas: 1, cpuMillicores: 100, memoryMib: 64 });
    await create('acme', 'dep_ghost'); // no such deployment at all
    await create('acme', failedAndCompensated.id); // e.g. a create that landed after its compensation
    await create('acme', failedNotYetCompensated.id); // its compensation will remove it
    await create('acme', inFlight.id); // a deploy still polling
    await create('globex', inFlight.id); // a deployment id under a workspace it does not belong to

    const report = await reconcileOnce(h.engine.deps, Date.now());
    expect(report.orphansRemoved.sort()).toEqual([`acme/${failedAndCompensated.id}`, 'acme/dep_ghost', `globex/${inFlight.id}`].sort());

    const left = await td.containers();
    const byDeployment = new Set(left.map((c) => `${c.Labels['deployflow.workspace']}/${c.Labels['deployflow.deployment']}`));
    expect(byDeployment).toEqual(new Set([`acme/${live.deploymentId}`, `acme/${failedNotYetCompensated.id}`, `acme/${inFlight.id}`]));
    // The live deployment was neither touched nor recreated.
    expect(left.find((c) => c.Labels['deployflow.deployment'] === live.deploymentId)?.State).toBe('running');
    expect(report.recreatedInKrane).toEqual([]);

    // A second pass finds nothing more to remove.
    expect((await reconcileOnce(h.engine.deps, Date.now())).orphansRemoved).toEqual([]);
  });
});
