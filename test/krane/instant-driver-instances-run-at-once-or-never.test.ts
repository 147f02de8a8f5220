import { DeploymentNotFoundError, DriverUnavailableError } from '../../src/krane/driver';
import { InstantDriver, INSTANT_READINESS_ENV } from '../../src/krane/drivers/instant-driver';
import { helloSpec } from './krane-test-kit';

async function get(address: string, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${address}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('the instant Krane driver (benchmarks)', () => {
  const driver = new InstantDriver();
  afterAll(() => driver.shutdown());

  it('reports every replica running as soon as create returns, each answering HTTP as a trivial app', async () => {
    await expect(driver.create(helloSpec('dep_fast', { replicas: 2 }))).resolves.toEqual({ alreadyExisted: false });
    const instances = await driver.get('acme', 'dep_fast');
    expect(instances.map((i) => i.status)).toEqual(['running', 'running']);
    expect(new Set(instances.map((i) => i.address)).size).toBe(2);
    for (const instance of instances) {
      expect(await get(instance.address, '/healthz')).toEqual({ status: 200, body: 'ok' });
      expect((await get(instance.address, '/openapi.json')).status).toBe(404);
      const root = await get(instance.address, '/');
      expect(JSON.parse(root.body)).toEqual({ deploymentId: 'dep_fast', instanceId: instance.id });
    }
    await expect(driver.create(helloSpec('dep_fast', { replicas: 2 }))).resolves.toEqual({ alreadyExisted: true });
  });

  it(`keeps replicas pending forever with ${INSTANT_READINESS_ENV}=never-ready`, async () => {
    await driver.create(helloSpec('dep_never', { env: { [INSTANT_READINESS_ENV]: 'never-ready' } }));
    for (let i = 0; i < 3; i++) expect((await driver.get('acme', 'dep_never')).map((x) => x.status)).toEqual(['pending']);
  });

  it('stops the instances on delete and forgets the deployment', async () => {
    const [instance] = await driver.get('acme', 'dep_fast');
    await driver.delete('acme', 'dep_fast');
    await expect(get(instance.address, '/healthz')).rejects.toThrow();
    await expect(driver.get('acme', 'dep_fast')).rejects.toBeInstanceOf(DeploymentNotFoundError);
    await expect(driver.delete('acme', 'dep_fast')).rejects.toBeInstanceOf(DeploymentNotFoundError);
  });

  it('refuses calls once shut down', async () => {
    await driver.shutdown();
    await expect(driver.create(helloSpec('dep_late'))).rejects.toBeInstanceOf(DriverUnavailableError);
  });
});
