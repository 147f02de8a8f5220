import { errorFields } from './support/api-harness';
import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments (bad input)', () => {
  const { h, acme } = useApiHarness(['acme']);
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
  });

  const get = (query: string) => h.call('GET', `/v1/deployments${query}`, { key: acme.viewer });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    ['status=done', 'status'],
    [`environment=${'e'.repeat(64)}`, 'environment'],
    [`projectId=${'p'.repeat(256)}`, 'projectId'],
  ])('rejects ?%s, naming %s', async (query, field) => {
    const res = await get(`?${query}`);
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual([field]);
  });

  it('names the allowed statuses when the status is unknown', async () => {
    const res = await get('?status=done');
    expect(res.body.error.message).toContain('pending');
    expect(res.body.error.message).toContain('superseded');
  });

  it('answers 404 when filtering by a project that does not exist', async () => {
    const res = await get('?projectId=nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('answers an empty page for an environment no project has', async () => {
    const res = await get('?environment=staging');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], nextCursor: null });
  });
});
