import { createApiKey } from '../../src/auth/api-key';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/workspaces/{id} (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);

  it('answers 401 without a key', async () => {
    expect((await h.call('GET', '/v1/workspaces/acme')).status).toBe(401);
  });

  it("answers 404 for another workspace, by id or slug, to every role: no existence leak", async () => {
    for (const role of ['admin', 'deployer', 'viewer'] as const) {
      for (const id of [globex.workspaceId, 'globex']) {
        const res = await h.call('GET', `/v1/workspaces/${id}`, { key: acme[role] });
        expect(res.status).toBe(404);
        expect(res.body.error.message).toBe(`workspace ${JSON.stringify(id)} not found`);
      }
    }
  });

  it('answers 404 to a platform viewer key, which belongs to no workspace', async () => {
    const platform = (await createApiKey(h.db.prisma, { workspaceId: null, role: 'viewer' })).key;
    expect((await h.call('GET', '/v1/workspaces/acme', { key: platform })).status).toBe(404);
  });
});
