import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { eventually, helloSpec, httpGet, REPO_ROOT } from './krane-test-kit';

describe('creating a deployment of file:examples/hello-api with 2 replicas', () => {
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    krane = await startEmbeddedKrane({ rootDir: REPO_ROOT });
  });

  afterAll(async () => {
    await krane.stop();
  });

  it('reports the instances pending, then running at distinct addresses that answer as that deployment', async () => {
    // The app fails its health check for its first 3 s, so the first get sees the instances before they are healthy
    // however slow the machine is (a timing guess here failed under load).
    const spec = helloSpec('dep_two_replicas', { replicas: 2, env: { VERSION: '2.3.4', HEALTHY_AFTER_MS: '3000' } });

    expect(await krane.client.create(spec)).toEqual({ alreadyExisted: false });

    const first = await krane.client.get('acme', 'dep_two_replicas');
    expect(first).toHaveLength(2);
    expect(first.map((i) => i.status)).toEqual(['pending', 'pending']);

    const running = await eventually('both instances running', async () => {
      const instances = await krane.client.get('acme', 'dep_two_replicas');
      return instances.length === 2 && instances.every((i) => i.status === 'running') ? instances : undefined;
    });
    expect(running.map((i) => i.id).sort()).toEqual(first.map((i) => i.id).sort());
    expect(new Set(running.map((i) => i.address)).size).toBe(2);
    expect(new Set(running.map((i) => i.id)).size).toBe(2);

    for (const instance of running) {
      expect(instance.address).toMatch(/^127\.0\.0\.1:\d+$/);
      const { status, body } = await httpGet(instance.address, '/');
      expect(status).toBe(200);
      expect(JSON.parse(body)).toMatchObject({ deploymentId: 'dep_two_replicas', instanceId: instance.id, version: '2.3.4' });
    }
  });

  it('reports no instances for a deployment it never created', async () => {
    expect(await krane.client.get('acme', 'dep_never_created')).toEqual([]);
  });
});
