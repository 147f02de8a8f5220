import { errorFields } from './support/api-harness';
import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects/:id/route-changes (bad input)', () => {
  const { h, acme } = useApiHarness(['acme']);
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
  });

  it.each([
    ['cursor=abc', 'cursor'],
    ['cursor=0', 'cursor'],
    ['cursor=-1', 'cursor'],
    ['cursor=99999999999', 'cursor'],
    ['cursor=9999999999', 'cursor'],
    ['limit=0', 'limit'],
    ['limit=1000', 'limit'],
  ])('rejects ?%s, naming %s', async (query, field) => {
    const res = await h.call('GET', `/v1/projects/shop/route-changes?${query}`, { key: acme.viewer });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual([field]);
  });

  it('answers an empty page for a project with no history, and 404 for an unknown project', async () => {
    expect((await h.call('GET', '/v1/projects/shop/route-changes', { key: acme.viewer })).body).toEqual({ data: [], nextCursor: null });
    expect((await h.call('GET', '/v1/projects/nope/route-changes', { key: acme.viewer })).status).toBe(404);
  });
});
