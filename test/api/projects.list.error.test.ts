import { errorFields } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects (bad input)', () => {
  const { h, acme } = useApiHarness(['acme']);

  it.each([['0'], ['101'], ['abc'], ['2.5'], ['-1'], ['']])('rejects limit=%j with 400 naming limit', async (limit) => {
    const res = await h.call('GET', `/v1/projects?limit=${encodeURIComponent(limit)}`, { key: acme.admin });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(errorFields(res)).toEqual(['limit']);
    expect(res.body.error.message).toMatch(/^invalid request query: limit: /);
  });

  it('rejects a repeated limit', async () => {
    const res = await h.call('GET', '/v1/projects?limit=1&limit=2', { key: acme.admin });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['limit']);
  });

  it.each([["' OR 1=1 --"], ['../../etc/passwd'], ['prj_short']])('rejects the cursor %j with 400 naming cursor', async (cursor) => {
    const res = await h.call('GET', `/v1/projects?cursor=${encodeURIComponent(cursor)}`, { key: acme.admin });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['cursor']);
  });

  it('answers 404 not_found for a path under /v1 that is no route', async () => {
    const res = await h.call('GET', '/v1/projectz', { key: acme.admin });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
