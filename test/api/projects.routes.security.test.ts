import { createProject, seedDeployment, seedRoute } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects/:id/routes (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexProjectId: string;
  beforeAll(async () => {
    const shop = await createProject(h, acme.admin, 'shop');
    const blog = await createProject(h, acme.admin, 'blog');
    globexProjectId = (await createProject(h, globex.admin, 'secret')).id;
    const d = await seedDeployment(h.db.prisma, { projectId: shop.id, live: true });
    await seedRoute(h.db.prisma, { projectId: shop.id, deploymentId: d.id, hostname: 'shop-acme.deploy.localhost', sticky: 'live' });
    const b = await seedDeployment(h.db.prisma, { projectId: blog.id, live: true });
    await seedRoute(h.db.prisma, { projectId: blog.id, deploymentId: b.id, hostname: 'blog-acme.deploy.localhost', sticky: 'live' });
    const g = await seedDeployment(h.db.prisma, { projectId: globexProjectId, live: true });
    await seedRoute(h.db.prisma, { projectId: globexProjectId, deploymentId: g.id, hostname: 'internal-admin.globex.example', sticky: 'custom' });
  });

  it('answers 401 without a key and 403 to the root key', async () => {
    expect((await h.call('GET', '/v1/projects/shop/routes')).status).toBe(401);
    expect((await h.call('GET', '/v1/projects/shop/routes', { key: h.rootKey })).status).toBe(403);
  });

  it("answers 404 for another workspace's project, revealing none of its hostnames", async () => {
    for (const id of [globexProjectId, 'secret']) {
      const res = await h.call('GET', `/v1/projects/${id}/routes`, { key: acme.admin });
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('globex.example');
    }
  });

  it("lists only the asked project's routes", async () => {
    const res = await h.call('GET', '/v1/projects/shop/routes', { key: acme.viewer });
    expect(res.body.routes.map((r: { hostname: string }) => r.hostname)).toEqual(['shop-acme.deploy.localhost']);
  });
});
