import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/projects/:id/promote/:deploymentId (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let acmeTarget: string;
  let globexProjectId: string;
  let globexTarget: string;
  beforeAll(async () => {
    const shop = await createProject(h, acme.admin, 'shop');
    await seedDeployment(h.db.prisma, { projectId: shop.id, live: true });
    acmeTarget = (await seedDeployment(h.db.prisma, { projectId: shop.id })).id;
    globexProjectId = (await createProject(h, globex.admin, 'secret')).id;
    await seedDeployment(h.db.prisma, { projectId: globexProjectId, live: true });
    globexTarget = (await seedDeployment(h.db.prisma, { projectId: globexProjectId })).id;
  });

  const operations = () => h.db.prisma.operation.count();

  it('answers 401 without a key', async () => {
    expect((await h.call('POST', `/v1/projects/shop/promote/${acmeTarget}`)).status).toBe(401);
    expect(await operations()).toBe(0);
  });

  it('answers 403 to a viewer and to the root key', async () => {
    expect((await h.call('POST', `/v1/projects/shop/promote/${acmeTarget}`, { key: acme.viewer })).status).toBe(403);
    expect((await h.call('POST', `/v1/projects/shop/promote/${acmeTarget}`, { key: h.rootKey })).status).toBe(403);
    expect(await operations()).toBe(0);
  });

  it("answers 404 for another workspace's project and deployment", async () => {
    expect((await h.call('POST', `/v1/projects/${globexProjectId}/promote/${globexTarget}`, { key: acme.admin })).status).toBe(404);
    expect((await h.call('POST', `/v1/projects/secret/promote/${globexTarget}`, { key: acme.admin })).status).toBe(404);
    expect((await h.call('POST', `/v1/projects/shop/promote/${globexTarget}`, { key: acme.admin })).status).toBe(404);
    expect(await operations()).toBe(0);
  });

  it('lets a deployer of the workspace promote', async () => {
    const res = await h.call('POST', `/v1/projects/shop/promote/${acmeTarget}`, { key: acme.deployer });
    expect(res.status).toBe(202);
  });
});
