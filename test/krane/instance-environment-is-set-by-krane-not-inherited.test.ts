import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { eventually, FAST_DRIVER, helloSpec, httpGet } from './krane-test-kit';

describe('the environment of an instance', () => {
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    process.env.DEPLOYFLOW_CONTROL_PLANE_SECRET = 'must-not-reach-apps';
    krane = await startEmbeddedKrane(FAST_DRIVER);
  });

  afterAll(async () => {
    delete process.env.DEPLOYFLOW_CONTROL_PLANE_SECRET;
    await krane.stop();
  });

  // A spec that tries to set PORT or DEPLOYMENT_ID is refused before it gets here (images-and-env-cannot-escape-onto-the-host).
  it('holds PORT, DEPLOYMENT_ID, INSTANCE_ID and the spec env, and none of Krane’s own variables', async () => {
    await krane.client.create(
      helloSpec('dep_env', {
        image: 'file:test/krane/fixtures/env-echo',
        env: { GREETING: 'hello' },
      }),
    );
    const [instance] = await eventually('instance running', async () => {
      const instances = await krane.client.get('acme', 'dep_env');
      return instances[0]?.status === 'running' ? instances : undefined;
    });

    const { env } = JSON.parse((await httpGet(instance.address, '/env')).body) as { env: Record<string, string> };
    expect(env.GREETING).toBe('hello');
    expect(env.PORT).toBe(instance.address.split(':')[1]);
    expect(env.DEPLOYMENT_ID).toBe('dep_env');
    expect(env.INSTANCE_ID).toBe(instance.id);
    expect(env.DEPLOYFLOW_CONTROL_PLANE_SECRET).toBeUndefined();
    expect(env.PATH).toBe(process.env.PATH);
  });
});
