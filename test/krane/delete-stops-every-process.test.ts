import { DeploymentNotFoundError } from '../../src/krane/driver';
import { ProcessDriver } from '../../src/krane/drivers/process-driver';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { eventually, FAST_DRIVER, helloSpec, isProcessAlive, REPO_ROOT } from './krane-test-kit';

describe('deleting a deployment', () => {
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    krane = await startEmbeddedKrane(FAST_DRIVER);
  });

  afterAll(async () => {
    await krane.stop();
  });

  it('stops every instance process and leaves nothing to report', async () => {
    await krane.client.create(helloSpec('dep_delete', { replicas: 3 }));
    await eventually('all running', async () => {
      const instances = await krane.client.get('acme', 'dep_delete');
      return instances.every((i) => i.status === 'running') ? instances : undefined;
    });
    const pids = Object.values(await krane.driver.pids('acme', 'dep_delete'));
    expect(pids).toHaveLength(3);

    await krane.client.delete('acme', 'dep_delete');

    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(await krane.client.get('acme', 'dep_delete')).toEqual([]);
  });

  it('succeeds for a deployment that does not exist, or was deleted already', async () => {
    await expect(krane.client.delete('acme', 'dep_never_existed')).resolves.toBeUndefined();
    await krane.client.create(helloSpec('dep_delete_twice'));
    await Promise.all([krane.client.delete('acme', 'dep_delete_twice'), krane.client.delete('acme', 'dep_delete_twice')]);
    await expect(krane.client.delete('acme', 'dep_delete_twice')).resolves.toBeUndefined();
  });

  it('kills an app that ignores SIGTERM once the grace period is over', async () => {
    const driver = new ProcessDriver({ rootDir: REPO_ROOT, gracePeriodMs: 300, healthIntervalMs: 50 });
    try {
      await driver.create(helloSpec('dep_stubborn', { image: 'file:test/krane/fixtures/ignores-sigterm' }));
      await eventually('running', async () => ((await driver.get('acme', 'dep_stubborn'))[0]?.status === 'running' ? true : undefined));
      const [pid] = Object.values(await driver.pids('acme', 'dep_stubborn'));

      await driver.delete('acme', 'dep_stubborn');

      expect(isProcessAlive(pid)).toBe(false);
      await expect(driver.get('acme', 'dep_stubborn')).rejects.toBeInstanceOf(DeploymentNotFoundError);
    } finally {
      await driver.shutdown();
    }
  });

  it('lets the same deployment be created afresh afterwards, with new instances', async () => {
    await krane.client.create(helloSpec('dep_recreate'));
    const [first] = await krane.client.get('acme', 'dep_recreate');
    await krane.client.delete('acme', 'dep_recreate');
    expect(await krane.client.create(helloSpec('dep_recreate'))).toEqual({ alreadyExisted: false });
    const [second] = await krane.client.get('acme', 'dep_recreate');
    expect(second.id).not.toBe(first.id);
  });
});
