import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/projects/:id/rollback/:deploymentId (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let acmeTarget: string;
  let globexProjectId: string;
  let globexTarget: string;
  beforeAll(async () => {
    const shop = await createProject(h, acme.admin, 'shop');
    await seedDeployment(h.db.prisma, { projectId: shop.id, live: true });
    acmeTarget = (await seedDeployment(h.db.prisma, { projectId: shop.id })).id;
    globexProjectId = (await createProject(h, globex.admin, 'shop')).id;
    await seedDeployment(h.db.prisma, { projectId: globexProjectId, live: true });
    globexTarget = (await seedDeployment(h.db.prisma, { projectId: globexProjectId })).id;
  });

  const operations = () => h.db.prisma.operation.count();

  it('answers 401 without a key', async () => {
    expect((await h.call('POST', `/v1/projects/shop/rollback/${acmeTarget}`)).status).toBe(401);
    expect(await operations()).toBe(0);
  });

  it('answers 403 to a viewer and to the root key', async () => {
    expect((await h.call('POST', `/v1/projects/shop/rollback/${acmeTarget}`, { key: acme.viewer })).status).toBe(403);
    expect((await h.call('POST', `/v1/projects/shop/rollback/${acmeTarget}`, { key: h.rootKey })).status).toBe(403);
    expect(await operations()).toBe(0);
  });

  it("answers 404 for another workspace's project, by id, and for its deployment through a same-named project", async () => {
    expect((await h.call('POST', `/v1/projects/${globexProjectId}/rollback/${globexTarget}`, { key: acme.admin })).status).toBe(404);
    // "shop" resolves to acme's own project, which does not own globex's deployment.
    expect((await h.call('POST', `/v1/projects/shop/rollback/${globexTarget}`, { key: acme.admin })).status).toBe(404);
    expect(await operations()).toBe(0);
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: globexProjectId } })).isRolledBack).toBe(false);
  });

  it('records the calling key as the requester', async () => {
    const res = await h.call('POST', `/v1/projects/shop/rollback/${acmeTarget}`, { key: acme.deployer, body: { reason: 'audit' } });
    expect(res.status).toBe(202);
    const keyId = (await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'deployer' } })).id;
    expect(await h.db.prisma.operation.findUniqueOrThrow({ where: { id: res.body.operationId } })).toMatchObject({ requestedBy: keyId, reason: 'audit' });
  });
});
