import { errorFields } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/workspaces/{id} (errors)', () => {
  const { h } = useApiHarness([]);

  it('answers 404 for a workspace that does not exist, by id or slug', async () => {
    for (const id of ['ws_01jx4m7k2q9d3w8r5t6y0z1a2b', 'nobody']) {
      const res = await h.call('GET', `/v1/workspaces/${id}`, { key: h.rootKey });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('answers 400 naming the id for a value that is not one line of text', async () => {
    const res = await h.call('GET', `/v1/workspaces/${encodeURIComponent('a\u0000b')}`, { key: h.rootKey });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['id']);
  });
});
