import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { eventually, FAST_DRIVER, helloSpec } from './krane-test-kit';

describe('an app that exits at start (CRASH_ON_START=1)', () => {
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    krane = await startEmbeddedKrane(FAST_DRIVER);
  });

  afterAll(async () => {
    await krane.stop();
  });

  it('is never reported running; once it has exited it is reported terminating and its output is kept', async () => {
    await krane.client.create(helloSpec('dep_crash', { replicas: 2, env: { CRASH_ON_START: '1' } }));

    const seen: string[] = [];
    const final = await eventually('both instances to be seen exited', async () => {
      const instances = await krane.client.get('acme', 'dep_crash');
      seen.push(...instances.map((i) => i.status));
      return instances.every((i) => i.status === 'terminating') ? instances : undefined;
    });
    expect(final).toHaveLength(2);
    expect(seen).not.toContain('running');

    const logs = await krane.driver.logs('acme', 'dep_crash');
    for (const instance of final) {
      expect(logs[instance.id]).toContain('CRASH_ON_START=1, exiting');
      expect(logs[instance.id]).toContain(`krane: instance ${instance.id} exited with code 1`);
    }

    // Deleting a deployment whose processes are all gone is immediate and clean.
    await krane.client.delete('acme', 'dep_crash');
    expect(await krane.client.get('acme', 'dep_crash')).toEqual([]);
  });
});
