import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { eventually, FAST_DRIVER, helloSpec, httpGet } from './krane-test-kit';

describe('an instance process killed with SIGKILL', () => {
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    krane = await startEmbeddedKrane(FAST_DRIVER);
  });

  afterAll(async () => {
    await krane.stop();
  });

  it('is no longer reported running, while its sibling still is', async () => {
    await krane.client.create(helloSpec('dep_kill', { replicas: 2 }));
    await eventually('both running', async () => {
      const instances = await krane.client.get('acme', 'dep_kill');
      return instances.every((i) => i.status === 'running') ? instances : undefined;
    });
    const pids = await krane.driver.pids('acme', 'dep_kill');
    const [victimId, survivorId] = Object.keys(pids);

    process.kill(pids[victimId], 'SIGKILL');

    const after = await eventually('the killed instance to stop being running', async () => {
      const instances = await krane.client.get('acme', 'dep_kill');
      return instances.find((i) => i.id === victimId)?.status !== 'running' ? instances : undefined;
    });
    const victim = after.find((i) => i.id === victimId);
    const survivor = after.find((i) => i.id === survivorId)!;
    expect(victim === undefined || victim.status === 'terminating').toBe(true);
    expect(survivor.status).toBe('running');
    expect((await httpGet(survivor.address, '/healthz')).status).toBe(200);

    // and it stays that way: later health checks of a dead process never bring it back
    for (let poll = 0; poll < 10; poll++) {
      const again = await krane.client.get('acme', 'dep_kill');
      expect(again.find((i) => i.id === victimId)?.status).not.toBe('running');
    }
  });
});
