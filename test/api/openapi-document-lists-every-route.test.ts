import { ApiHarness, startApiHarness } from './support/api-harness';

describe('GET /openapi.json', () => {
  let h: ApiHarness;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: any;
  beforeAll(async () => {
    h = await startApiHarness();
    const res = await h.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(async () => {
    await h.close();
  });

  it('is an OpenAPI 3.1 document with a bearer security scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every route the app serves, generated from the route schemas', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    // Every route Hono dispatches to a handler (not middleware) other than the document and its UI.
    const served = h.app.routes
      .filter((r) => r.method !== 'ALL' && !['/openapi.json', '/docs'].includes(r.path))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(new Set(documented)).toEqual(new Set(served));
    expect(documented).toEqual(
      expect.arrayContaining(['POST /v1/workspaces', 'POST /v1/projects', 'GET /v1/projects', 'GET /v1/projects/{id}', 'GET /healthz', 'GET /readyz', 'GET /metrics']),
    );
  });

  it('requires the bearer key on every /v1 operation and on nothing else', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops as Record<string, { security?: unknown }>)) {
        if (path.startsWith('/v1/')) expect(op.security).toEqual([{ bearerAuth: [] }]);
        else expect(op.security).toBeUndefined();
      }
    }
  });

  it('declares request bodies as closed objects and responses with the shared error shape', () => {
    const createProject = doc.paths['/v1/projects'].post;
    const body = resolve(createProject.requestBody.content['application/json'].schema);
    expect(body.additionalProperties).toBe(false);
    expect(body.required.sort()).toEqual(['name', 'slug']);
    expect(body.properties.slug.maxLength).toBe(63);
    expect(resolve(createProject.responses['201'].content['application/json'].schema).properties).toHaveProperty('isRolledBack');
    expect(createProject.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    expect(doc.paths['/v1/projects/{id}'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:id']);
    const listQuery = doc.paths['/v1/projects'].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(listQuery).toEqual(['cursor', 'limit']);
  });

  it('serves interactive docs that load the document', async () => {
    const res = await h.call('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.text).toContain('/openapi.json');
  });

  function resolve(schema: { $ref?: string }) {
    if (!schema.$ref) return schema as never;
    return doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
  }
});
