import { ApiHarness, errorFields } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/projects (bad input)', () => {
  const { h, acme } = useApiHarness(['acme']);

  const post = (options: Parameters<ApiHarness['call']>[2]) => h.call('POST', '/v1/projects', { key: acme.admin, ...options });
  const nothingCreated = async () => {
    expect(await h.db.prisma.project.count({ where: { slug: { not: 'taken' } } })).toBe(0);
    expect(await h.db.prisma.environment.count({ where: { project: { slug: { not: 'taken' } } } })).toBe(0);
  };

  it('rejects malformed JSON with 400 invalid_json', async () => {
    const res = await post({ rawBody: "{slug: 'api'}", headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    await nothingCreated();
  });

  it('rejects an empty body sent as JSON with 400 invalid_json', async () => {
    const res = await post({ rawBody: '', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    await nothingCreated();
  });

  it('names every missing field', async () => {
    const res = await post({ body: {} });
    expect(res.status).toBe(400);
    expect(errorFields(res).sort()).toEqual(['name', 'slug']);
    expect(res.body.error.message).toMatch(/slug: required/);
    expect(res.body.error.message).toMatch(/name: required/);
    await nothingCreated();
  });

  it('treats a request without a body as missing fields', async () => {
    const res = await post({});
    expect(res.status).toBe(400);
    expect(errorFields(res).sort()).toEqual(['name', 'slug']);
    await nothingCreated();
  });

  it('rejects a slug of 64 characters, naming slug', async () => {
    const res = await post({ body: { slug: 'p'.repeat(64), name: 'Long' } });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['slug']);
    expect(res.body.error.message).toContain('slug: must be at most 63 characters');
    await nothingCreated();
  });

  it('rejects an unknown field, naming it', async () => {
    const res = await post({ body: { slug: 'api', name: 'API', workspaceId: 'ws_someone_else' } });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['workspaceId']);
    await nothingCreated();
  });

  it.each([
    ['slug', { slug: 5, name: 'API' }],
    ['name', { slug: 'api', name: ['API'] }],
    ['defaultBranch', { slug: 'api', name: 'API', defaultBranch: false }],
  ])('rejects a wrong type for %s, naming it', async (field, body) => {
    const res = await post({ body });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual([field]);
    expect(res.body.error.message).toContain(`${field}: `);
    await nothingCreated();
  });

  it.each([['-main'], ['a..b'], ['has space'], ['trailing/']])('rejects the branch name %j', async (defaultBranch) => {
    const res = await post({ body: { slug: 'api', name: 'API', defaultBranch } });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['defaultBranch']);
    await nothingCreated();
  });

  it('rejects a blank name', async () => {
    const res = await post({ body: { slug: 'api', name: '   ' } });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['name']);
    await nothingCreated();
  });

  it('answers 409 slug_taken for a slug already used in the workspace, creating no second set of environments', async () => {
    expect((await post({ body: { slug: 'taken', name: 'First' } })).status).toBe(201);
    const res = await post({ body: { slug: 'taken', name: 'Second' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('slug_taken');
    expect(await h.db.prisma.project.count()).toBe(1);
    expect(await h.db.prisma.environment.count()).toBe(2);
  });
});
