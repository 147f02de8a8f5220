import { createProject, seedRouteChange } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects/:id/route-changes (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexProjectId: string;
  beforeAll(async () => {
    const shop = await createProject(h, acme.admin, 'shop');
    globexProjectId = (await createProject(h, globex.admin, 'shop')).id;
    await seedRouteChange(h.db.prisma, { projectId: shop.id, sequence: 1, kind: 'deploy', moves: [{ hostname: 'shop-acme.deploy.localhost', from: null, to: 'dep_a' }] });
    await seedRouteChange(h.db.prisma, { projectId: globexProjectId, sequence: 1, kind: 'deploy', moves: [{ hostname: 'shop-globex.deploy.localhost', from: null, to: 'dep_g' }] });
  });

  it('answers 401 without a key and 403 to the root key', async () => {
    expect((await h.call('GET', '/v1/projects/shop/route-changes')).status).toBe(401);
    expect((await h.call('GET', '/v1/projects/shop/route-changes', { key: h.rootKey })).status).toBe(403);
  });

  it("answers 404 for another workspace's project", async () => {
    const res = await h.call('GET', `/v1/projects/${globexProjectId}/route-changes`, { key: acme.admin });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('globex');
  });

  it("resolves a shared slug to the caller's own project only", async () => {
    const mine = await h.call('GET', '/v1/projects/shop/route-changes', { key: acme.viewer });
    expect(mine.body.data.flatMap((c: { changes: Array<{ hostname: string }> }) => c.changes.map((x) => x.hostname))).toEqual(['shop-acme.deploy.localhost']);
    const theirs = await h.call('GET', '/v1/projects/shop/route-changes', { key: globex.viewer });
    expect(theirs.body.data.flatMap((c: { changes: Array<{ hostname: string }> }) => c.changes.map((x) => x.hostname))).toEqual(['shop-globex.deploy.localhost']);
  });
});
