import { ApiHarness, errorFields } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/workspaces (bad input)', () => {
  const { h } = useApiHarness([]);

  const workspaceCount = () => h.db.prisma.workspace.count();
  const post = (options: Parameters<ApiHarness['call']>[2]) => h.call('POST', '/v1/workspaces', { key: h.rootKey, ...options });

  it('rejects malformed JSON with 400 invalid_json and creates nothing', async () => {
    const res = await post({ rawBody: '{"slug": "acme", "name": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
    expect(await workspaceCount()).toBe(0);
  });

  it('names a missing field', async () => {
    const res = await post({ body: { slug: 'acme' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(errorFields(res)).toEqual(['name']);
    expect(res.body.error.message).toContain('name');
    expect(await workspaceCount()).toBe(0);
  });

  it('rejects a slug of 64 characters, naming slug', async () => {
    const res = await post({ body: { slug: 'a'.repeat(64), name: 'Too long' } });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['slug']);
    expect(res.body.error.message).toMatch(/slug: must be at most 63 characters/);
    expect(await workspaceCount()).toBe(0);
  });

  it.each([['UPPER'], ['-leading'], ['trailing-'], ['under_score'], ['dots.in.it'], [''], ['spa ce']])('rejects the slug %j as not DNS-safe', async (slug) => {
    const res = await post({ body: { slug, name: 'Bad' } });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['slug']);
    expect(await workspaceCount()).toBe(0);
  });

  it('rejects an unknown field, naming it', async () => {
    const res = await post({ body: { slug: 'acme', name: 'Acme', plan: 'enterprise' } });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['plan']);
    expect(res.body.error.message).toContain('plan: unknown field');
    expect(await workspaceCount()).toBe(0);
  });

  it('rejects a field of the wrong type, naming it', async () => {
    const res = await post({ body: { slug: 5, name: 'Acme' } });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['slug']);
    expect(res.body.error.message).toContain('slug: must be a string');
    expect(await workspaceCount()).toBe(0);
  });

  it('rejects a body that is not JSON with 415', async () => {
    const res = await post({ rawBody: 'slug=acme&name=Acme', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(await workspaceCount()).toBe(0);
  });

  it('answers 409 slug_taken for a slug already used, leaving the first workspace alone', async () => {
    expect((await post({ body: { slug: 'taken', name: 'First' } })).status).toBe(201);
    const res = await post({ body: { slug: 'taken', name: 'Second' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('slug_taken');
    const rows = await h.db.prisma.workspace.findMany({ where: { slug: 'taken' } });
    expect(rows.map((w) => w.name)).toEqual(['First']);
    // The losing request made no API key either.
    expect(await h.db.prisma.apiKey.count({ where: { workspaceId: { not: null } } })).toBe(1);
  });
});
