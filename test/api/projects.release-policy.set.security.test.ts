import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST and DELETE /v1/projects/:id/release-policy (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexProjectId: string;
  const body = { stages: [{ weight: 5, durationSeconds: 60 }, { weight: 100 }] };
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
    globexProjectId = (await createProject(h, globex.admin, 'secret')).id;
    await h.call('POST', '/v1/projects/secret/release-policy', { key: globex.admin, body });
  });

  const policies = () => h.db.prisma.releasePolicy.count();

  it('answers 401 without a key', async () => {
    expect((await h.call('POST', '/v1/projects/shop/release-policy', { body })).status).toBe(401);
    expect((await h.call('DELETE', '/v1/projects/secret/release-policy')).status).toBe(401);
    expect(await policies()).toBe(1);
  });

  it('answers 403 to a viewer and to the root key', async () => {
    expect((await h.call('POST', '/v1/projects/shop/release-policy', { key: acme.viewer, body })).status).toBe(403);
    expect((await h.call('POST', '/v1/projects/shop/release-policy', { key: h.rootKey, body })).status).toBe(403);
    expect((await h.call('DELETE', '/v1/projects/secret/release-policy', { key: globex.viewer })).status).toBe(403);
    expect(await policies()).toBe(1);
  });

  it("answers 404 for another workspace's project, by id and by slug, and changes nothing there", async () => {
    expect((await h.call('POST', `/v1/projects/${globexProjectId}/release-policy`, { key: acme.admin, body })).status).toBe(404);
    expect((await h.call('DELETE', `/v1/projects/${globexProjectId}/release-policy`, { key: acme.admin })).status).toBe(404);
    expect((await h.call('DELETE', '/v1/projects/secret/release-policy', { key: acme.admin })).status).toBe(404);
    expect(await policies()).toBe(1);
  });
});
