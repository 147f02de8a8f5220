import { errorFields } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects/:id (bad input)', () => {
  const { h, acme } = useApiHarness(['acme']);
  beforeAll(async () => {
    await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'api', name: 'API' } });
  });

  it('answers 404 not_found for an unknown id or slug, naming it', async () => {
    for (const id of ['nope', 'prj_0000000000000000000000000z']) {
      const res = await h.call('GET', `/v1/projects/${id}`, { key: acme.admin });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(res.body.error.message).toContain(id);
    }
  });

  it('rejects an id longer than 255 characters with 400 naming id', async () => {
    const res = await h.call('GET', `/v1/projects/${'a'.repeat(256)}`, { key: acme.admin });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['id']);
    expect(res.body.error.message).toMatch(/^invalid request path: id: /);
  });

  it('rejects control characters in the id with 400', async () => {
    const res = await h.call('GET', '/v1/projects/a%00b', { key: acme.admin });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['id']);
  });

  it('answers 405 with Allow for a method the path does not have, and deletes nothing', async () => {
    const res = await h.call('DELETE', '/v1/projects/api', { key: acme.admin });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    expect(await h.db.prisma.project.count()).toBe(1);
  });
});
