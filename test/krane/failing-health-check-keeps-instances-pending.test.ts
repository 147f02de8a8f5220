import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { eventually, FAST_DRIVER, helloSpec, httpGet, sleep } from './krane-test-kit';

describe('an app whose health check fails (FAIL_HEALTH=1)', () => {
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    krane = await startEmbeddedKrane(FAST_DRIVER);
  });

  afterAll(async () => {
    await krane.stop();
  });

  it('stays pending although its process is up and serving', async () => {
    await krane.client.create(helloSpec('dep_unhealthy', { replicas: 2, env: { FAIL_HEALTH: '1' } }));
    const instances = await krane.client.get('acme', 'dep_unhealthy');

    // The app is listening: every later health check reached it and got its 503.
    for (const instance of instances) {
      await eventually(`${instance.address} to answer`, async () => ((await httpGet(instance.address, '/')).status === 200 ? true : undefined));
      expect((await httpGet(instance.address, '/healthz')).status).toBe(503);
    }
    // Many health-check intervals (50 ms in this driver) later, still nothing is running.
    for (let poll = 0; poll < 20; poll++) {
      const now = await krane.client.get('acme', 'dep_unhealthy');
      expect(now.map((i) => i.status)).toEqual(['pending', 'pending']);
      await sleep(50);
    }
  });

  it('is checked at the spec’s health check path', async () => {
    // hello-api answers 404 at /nope: with that as its health path it never becomes running either, though /healthz is fine
    await krane.client.create(helloSpec('dep_custom_path', { healthCheckPath: '/nope' }));
    const [instance] = await krane.client.get('acme', 'dep_custom_path');
    await eventually('app answering', async () => ((await httpGet(instance.address, '/healthz')).status === 200 ? true : undefined));
    for (let poll = 0; poll < 20; poll++) {
      expect((await krane.client.get('acme', 'dep_custom_path'))[0].status).toBe('pending');
      await sleep(50);
    }

    await krane.client.create(helloSpec('dep_openapi_path', { healthCheckPath: '/openapi.json' }));
    await eventually('running when checked at a path that answers 200', async () =>
      (await krane.client.get('acme', 'dep_openapi_path'))[0].status === 'running' ? true : undefined,
    );
  });
});
