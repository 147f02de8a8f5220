import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/workspaces/{id} (happy)', () => {
  const { h } = useApiHarness([]);

  it('shows a workspace by id or slug to the root key and to a key of that workspace', async () => {
    const created = await h.call('POST', '/v1/workspaces', { key: h.rootKey, body: { slug: 'acme', name: 'Acme Inc.' } });
    const { workspace, apiKey } = created.body;
    for (const key of [h.rootKey, apiKey.key]) {
      for (const id of [workspace.id, 'acme']) {
        const res = await h.call('GET', `/v1/workspaces/${id}`, { key });
        expect(res.status).toBe(200);
        expect(res.body).toEqual(workspace);
      }
    }
  });
});
