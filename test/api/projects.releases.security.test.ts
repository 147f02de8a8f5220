import { createProject } from './support/deployments';
import { seedRelease } from './support/releases';
import { useApiHarness } from './support/use-api-harness';

describe('the release routes (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let acmeRelease: string;
  let globexRelease: string;
  let globexProjectId: string;
  beforeAll(async () => {
    const shop = await createProject(h, acme.admin, 'shop');
    acmeRelease = (await seedRelease(h.db.prisma, { projectId: shop.id })).release.id;
    globexProjectId = (await createProject(h, globex.admin, 'secret')).id;
    globexRelease = (await seedRelease(h.db.prisma, { projectId: globexProjectId })).release.id;
  });

  const weightChanges = () => h.db.prisma.operation.count({ where: { kind: 'canary_weight' } });

  it('answers 401 without a key', async () => {
    expect((await h.call('GET', `/v1/projects/shop/releases/${acmeRelease}`)).status).toBe(401);
    expect((await h.call('POST', `/v1/projects/shop/releases/${acmeRelease}/advance`)).status).toBe(401);
    expect((await h.call('POST', `/v1/projects/shop/releases/${acmeRelease}/abort`)).status).toBe(401);
    expect(await weightChanges()).toBe(0);
  });

  it('lets a viewer read but not advance or abort; the root key does neither', async () => {
    expect((await h.call('GET', `/v1/projects/shop/releases/${acmeRelease}`, { key: acme.viewer })).status).toBe(200);
    expect((await h.call('POST', `/v1/projects/shop/releases/${acmeRelease}/advance`, { key: acme.viewer })).status).toBe(403);
    expect((await h.call('POST', `/v1/projects/shop/releases/${acmeRelease}/abort`, { key: acme.viewer })).status).toBe(403);
    expect((await h.call('GET', `/v1/projects/shop/releases/${acmeRelease}`, { key: h.rootKey })).status).toBe(403);
    expect((await h.call('POST', `/v1/projects/shop/releases/${acmeRelease}/abort`, { key: h.rootKey })).status).toBe(403);
    expect(await weightChanges()).toBe(0);
  });

  it("answers 404 for another workspace's release, through its project or ours, and changes nothing there", async () => {
    for (const path of [`/v1/projects/${globexProjectId}/releases/${globexRelease}`, `/v1/projects/shop/releases/${globexRelease}`]) {
      expect((await h.call('GET', path, { key: acme.admin })).status).toBe(404);
      expect((await h.call('POST', `${path}/advance`, { key: acme.admin })).status).toBe(404);
      expect((await h.call('POST', `${path}/abort`, { key: acme.admin })).status).toBe(404);
    }
    expect(await weightChanges()).toBe(0);
    expect((await h.db.prisma.release.findUniqueOrThrow({ where: { id: globexRelease } })).endRequested).toBeNull();
  });
});
