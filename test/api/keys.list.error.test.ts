import { errorFields } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/keys and GET /v1/keys/{id} (errors)', () => {
  const { h, acme } = useApiHarness(['acme']);

  it.each([
    ['/v1/keys?limit=0', 'limit'],
    ['/v1/keys?limit=101', 'limit'],
    ['/v1/keys?limit=1e1', 'limit'],
    ['/v1/keys?cursor=not-a-cursor', 'cursor'],
  ])('answers 400 naming the parameter for %s', async (path, field) => {
    const res = await h.call('GET', path, { key: acme.admin });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toContain(field);
  });

  it('answers 400 naming the id for a key id that is not an id, 404 for one that does not exist', async () => {
    const bad = await h.call('GET', '/v1/keys/acme-admin', { key: acme.admin });
    expect(bad.status).toBe(400);
    expect(errorFields(bad)).toEqual(['id']);
    const missing = await h.call('GET', '/v1/keys/key_01jx4m7k2q9d3w8r5t6y0z1a2b', { key: acme.admin });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });
});
