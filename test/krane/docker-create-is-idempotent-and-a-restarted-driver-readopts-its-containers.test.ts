import { DockerDriver } from '../../src/krane/drivers/docker-driver';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { connectTestDocker, describeWithDocker, TEST_IMAGES, TestDocker } from '../support/docker-for-tests';
import { eventually, helloSpec, httpGet } from './krane-test-kit';

describeWithDocker('the docker driver across creates and restarts', () => {
  let td: TestDocker;
  let krane: EmbeddedKrane<DockerDriver> | undefined;

  beforeAll(async () => {
    td = await connectTestDocker();
  }, 120_000);

  afterAll(async () => {
    await krane?.stop();
    await td?.cleanup();
  });

  const containerState = async () =>
    Promise.all((await td.containers()).map(async (c) => ({ id: c.Id, startedAt: (await td.docker.getContainer(c.Id).inspect()).State.StartedAt })));
  const allRunning = (k: EmbeddedKrane<DockerDriver>, deploymentId: string, replicas: number) =>
    eventually(`${deploymentId} running`, async () => {
      const list = await k.client.get('acme', deploymentId);
      return list.length === replicas && list.every((i) => i.status === 'running') ? list : undefined;
    });

  it('answers ALREADY_EXISTS for a second create and a concurrent one, starting nothing more', async () => {
    krane = await startEmbeddedKrane({ driver: await td.startDriver() });
    const spec = helloSpec('dep_twice', { image: TEST_IMAGES.helloV1, replicas: 2 });
    const outcomes = await Promise.all([krane.client.create(spec), krane.client.create(spec)]);
    expect(outcomes.map((o) => o.alreadyExisted).sort()).toEqual([false, true]);
    await allRunning(krane, 'dep_twice', 2);
    await expect(krane.client.create(spec)).resolves.toEqual({ alreadyExisted: true });
    expect(await td.containers()).toHaveLength(2);
  });

  it('a new driver with the same Krane id adopts the running containers: reported running at once, same ids and addresses, nothing recreated', async () => {
    const before = await allRunning(krane!, 'dep_twice', 2);
    const containersBefore = await containerState();
    // The control plane goes away; its containers do not.
    await krane!.stop();
    expect((await td.containers()).every((c) => c.State === 'running')).toBe(true);

    const driver = await td.startDriver();
    expect(driver.adoptedAtStart).toBe(2);
    krane = await startEmbeddedKrane({ driver });
    // The very first answer after the restart is the truth, not `pending` until a background check comes round.
    expect(await krane.client.get('acme', 'dep_twice')).toEqual(before);
    await expect(krane.client.create(helloSpec('dep_twice', { image: TEST_IMAGES.helloV1, replicas: 2 }))).resolves.toEqual({ alreadyExisted: true });
    expect(await containerState()).toEqual(containersBefore);
    for (const instance of before) expect((await httpGet(instance.address, '/healthz')).status).toBe(200);
  });

  it('a create after a crash that left a replica missing re-adopts the rest and starts only the missing one', async () => {
    const [first, second] = await krane!.driver.containerIds('acme', 'dep_twice');
    await td.docker.getContainer(second).remove({ force: true });
    await expect(krane!.client.create(helloSpec('dep_twice', { image: TEST_IMAGES.helloV1, replicas: 2 }))).resolves.toEqual({ alreadyExisted: true });
    const ids = await krane!.driver.containerIds('acme', 'dep_twice');
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(first);
    expect(ids[1]).not.toBe(second);
    await allRunning(krane!, 'dep_twice', 2);
  });

  it('lists only its own deployments, and delete removes every container of one', async () => {
    await krane!.client.create(helloSpec('dep_other', { namespace: 'globex', image: TEST_IMAGES.helloV1 }));
    const other = await td.startDriver({ kraneId: `${td.kraneId}-someone-else` });
    try {
      expect(await other.list()).toEqual([]);
      await expect(other.get('acme', 'dep_twice')).rejects.toThrow('not found');
    } finally {
      await other.shutdown();
    }
    expect((await krane!.client.list!())?.sort((a, b) => a.deploymentId.localeCompare(b.deploymentId))).toEqual([
      { namespace: 'globex', deploymentId: 'dep_other' },
      { namespace: 'acme', deploymentId: 'dep_twice' },
    ]);
    await krane!.client.delete('acme', 'dep_twice');
    await krane!.client.delete('globex', 'dep_other');
    expect(await td.containers()).toEqual([]);
    expect(await krane!.client.list!()).toEqual([]);
    // Deleting what is gone is NOT_FOUND on the wire, which the client reads as done.
    await expect(krane!.client.delete('acme', 'dep_twice')).resolves.toBeUndefined();
  });
});
