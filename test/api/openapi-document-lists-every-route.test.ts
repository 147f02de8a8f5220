import { useApiHarness } from './support/use-api-harness';

describe('GET /openapi.json', () => {
  const { h } = useApiHarness([]);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: any;
  beforeAll(async () => {
    const res = await h.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });

  it('is an OpenAPI 3.1 document with a bearer security scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every route the app serves, generated from the route schemas', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    // Every route Hono dispatches to a handler (not middleware) other than the document and its UI (with the UI's files).
    const served = h.app.routes
      .filter((r) => r.method !== 'ALL' && r.path !== '/openapi.json' && r.path !== '/docs' && !r.path.startsWith('/docs/'))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(new Set(documented)).toEqual(new Set(served));
    expect(documented.sort()).toEqual(
      [
        'POST /v1/workspaces',
        'GET /v1/workspaces/{id}',
        'POST /v1/keys',
        'GET /v1/keys',
        'GET /v1/keys/{id}',
        'DELETE /v1/keys/{id}',
        'POST /v1/projects',
        'GET /v1/projects',
        'GET /v1/projects/{id}',
        'GET /v1/projects/{id}/routes',
        'GET /v1/projects/{id}/route-changes',
        'POST /v1/projects/{id}/rollback/{deploymentId}',
        'POST /v1/projects/{id}/promote/{deploymentId}',
        'POST /v1/projects/{id}/routes/undo',
        'POST /v1/projects/{id}/release-policy',
        'DELETE /v1/projects/{id}/release-policy',
        'GET /v1/projects/{id}/releases/{releaseId}',
        'POST /v1/projects/{id}/releases/{releaseId}/advance',
        'POST /v1/projects/{id}/releases/{releaseId}/abort',
        'POST /v1/deployments',
        'GET /v1/deployments',
        'GET /v1/deployments/{id}',
        'GET /v1/deployments/{id}/openapi',
        'GET /v1/deployments/{id}/events',
        'POST /v1/deployments/{id}/cancel',
        'POST /v1/deployments/{id}/events/token',
        'GET /v1/operations/{id}',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
      ].sort(),
    );
  });

  it('keeps the queue dashboard out of the document', () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/admin'))).toEqual([]);
  });

  it('documents the deploy request, the wait parameter and the event stream', () => {
    const deploy = resolve(doc.paths['/v1/deployments'].post.requestBody.content['application/json'].schema);
    expect(deploy.additionalProperties).toBe(false);
    expect(deploy.required.sort()).toEqual(['image', 'projectId']);
    expect(Object.keys(deploy.properties).sort()).toEqual(['environment', 'git', 'image', 'projectId', 'runtime']);
    expect(Object.keys(doc.paths['/v1/deployments'].post.responses)).toEqual(expect.arrayContaining(['202', '400', '404']));
    for (const path of ['/v1/projects/{id}/rollback/{deploymentId}', '/v1/projects/{id}/promote/{deploymentId}', '/v1/projects/{id}/routes/undo']) {
      const op = doc.paths[path].post;
      expect(op.requestBody.required).toBeFalsy();
      expect(op.parameters.find((p: { name: string }) => p.name === 'wait')).toMatchObject({ in: 'query', schema: { maximum: 30 } });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '202', '404', '409', '422']));
    }
    expect(Object.keys(doc.paths['/v1/deployments/{id}/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
    const list = doc.paths['/v1/deployments'].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(list).toEqual(['cursor', 'environment', 'limit', 'projectId', 'status']);
  });

  it('requires the bearer key on every /v1 operation (or the event stream token on the event stream) and on nothing else', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops as Record<string, { security?: unknown }>)) {
        // The event stream also takes its own token in the query (for a browser EventSource, which cannot send headers).
        if (path === '/v1/deployments/{id}/events') expect(op.security).toEqual([{ bearerAuth: [] }, { eventStreamToken: [] }]);
        else if (path.startsWith('/v1/')) expect(op.security).toEqual([{ bearerAuth: [] }]);
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
