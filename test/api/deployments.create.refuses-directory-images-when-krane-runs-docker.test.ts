import { errorFields, startApiHarness } from './support/api-harness';
import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/deployments with KRANE_DRIVER=docker', () => {
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarness({ env: { KRANE_DRIVER: 'docker' } }) });
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
  });

  const post = (body: unknown) => h.call('POST', '/v1/deployments', { key: acme.deployer, body });

  it('refuses a file: image with a 400 naming the field and the driver, and records nothing', async () => {
    const res = await post({ projectId: 'shop', image: 'file:examples/hello-api' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(errorFields(res)).toEqual(['image']);
    expect(res.body.error.message).toContain('only the process driver runs');
    expect(await h.db.prisma.deployment.count()).toBe(0);
    expect(await h.db.prisma.operation.count()).toBe(0);
  });

  it('refuses a reference docker could never pull, naming the field', async () => {
    const res = await post({ projectId: 'shop', image: 'registry..example/app:1' });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['image']);
    expect(res.body.error.message).toContain('not a container image reference');
    expect(await h.db.prisma.deployment.count()).toBe(0);
  });

  it('accepts container image references by tag and by digest', async () => {
    for (const image of ['registry.example.com:5000/team/app:1.2.3', `app@sha256:${'a'.repeat(64)}`, 'deployflow/hello-api:1.0.0']) {
      const res = await post({ projectId: 'shop', image });
      expect(res.status).toBe(202);
    }
  });
});
