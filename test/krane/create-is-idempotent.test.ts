import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { eventually, FAST_DRIVER, helloSpec, isProcessAlive } from './krane-test-kit';

describe('creating the same deployment again', () => {
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    krane = await startEmbeddedKrane(FAST_DRIVER);
  });

  afterAll(async () => {
    await krane.stop();
  });

  it('is a no-op reported as alreadyExisted: same instances, same processes', async () => {
    const spec = helloSpec('dep_twice', { replicas: 2 });
    expect(await krane.client.create(spec)).toEqual({ alreadyExisted: false });
    const before = await eventually('both running', async () => {
      const instances = await krane.client.get('acme', 'dep_twice');
      return instances.every((i) => i.status === 'running') ? instances : undefined;
    });
    const pidsBefore = await krane.driver.pids('acme', 'dep_twice');

    expect(await krane.client.create(spec)).toEqual({ alreadyExisted: true });
    expect(await krane.client.create({ ...spec, replicas: 3 })).toEqual({ alreadyExisted: true });

    expect(await krane.client.get('acme', 'dep_twice')).toEqual(before);
    expect(await krane.driver.pids('acme', 'dep_twice')).toEqual(pidsBefore);
    for (const pid of Object.values(pidsBefore)) expect(isProcessAlive(pid)).toBe(true);
  });

  it('starts one set of processes when the same create arrives several times at once', async () => {
    const spec = helloSpec('dep_concurrent', { replicas: 2 });
    const results = await Promise.all([1, 2, 3, 4].map(() => krane.client.create(spec)));

    expect(results.filter((r) => !r.alreadyExisted)).toHaveLength(1);
    expect(await krane.client.get('acme', 'dep_concurrent')).toHaveLength(2);
    expect(Object.keys(await krane.driver.pids('acme', 'dep_concurrent'))).toHaveLength(2);
  });

  it('keeps deployments of the same id in different namespaces apart', async () => {
    await krane.client.create(helloSpec('dep_shared_id'));
    expect(await krane.client.create(helloSpec('dep_shared_id', { namespace: 'globex' }))).toEqual({ alreadyExisted: false });
    const acme = await krane.client.get('acme', 'dep_shared_id');
    const globex = await krane.client.get('globex', 'dep_shared_id');
    expect(acme).toHaveLength(1);
    expect(globex).toHaveLength(1);
    expect(acme[0].id).not.toBe(globex[0].id);
  });
});
