import { ApiHarness, startApiHarness } from './support/api-harness';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

async function documentOf(env: Record<string, string> = {}): Promise<Doc> {
  const h = await startApiHarness({ env });
  try {
    return (await h.call('GET', '/openapi.json')).body;
  } finally {
    await h.close();
  }
}

function operations(doc: Doc): Array<{ method: string; path: string; op: Doc }> {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops as object).map(([method, op]) => ({ method, path, op })));
}

describe('the OpenAPI document', () => {
  let doc: Doc;
  beforeAll(async () => {
    doc = await documentOf();
  });

  it('gives every operation a unique operationId', () => {
    const ids = operations(doc).map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['createDeployment', 'rollbackProject', 'createApiKey', 'revokeApiKey', 'getOperation']));
  });

  it('names the server: http://127.0.0.1:3000 by default, PUBLIC_API_URL when set', async () => {
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:3000', description: expect.any(String) }]);
    const configured = await documentOf({ PUBLIC_API_URL: 'https://deploy.acme.dev' });
    expect(configured.servers[0].url).toBe('https://deploy.acme.dev');
  });

  it('documents the response headers: x-request-id everywhere, Location on 201/202, RateLimit-* with a key, Retry-After on 429, Idempotent-Replayed on POST', () => {
    const names = (response: Doc) => Object.keys(response.headers ?? {});
    for (const { method, op } of operations(doc)) {
      const authenticated = (op.security ?? []).length > 0;
      for (const [status, response] of Object.entries(op.responses as Record<string, Doc>)) {
        const has = names(response);
        expect(has).toContain('x-request-id');
        if (status === '201' || status === '202') expect(has).toContain('Location');
        if (status === '429') expect(has).toContain('Retry-After');
        if (authenticated && status !== '401') expect(has).toEqual(expect.arrayContaining(['RateLimit-Policy', 'RateLimit']));
        if (method === 'post' && ['200', '201', '202', '400', '409'].includes(status)) expect(has).toContain('Idempotent-Replayed');
      }
      if (authenticated) expect(Object.keys(op.responses)).toContain('429');
    }
    for (const name of ['RequestId', 'RateLimitPolicy', 'RateLimit', 'RetryAfter', 'Location', 'IdempotentReplayed']) {
      expect(doc.components.headers[name]).toMatchObject({ description: expect.any(String), schema: expect.any(Object) });
    }
    const deploy = doc.paths['/v1/deployments'].post.responses['202'].headers.Location;
    expect(deploy).toEqual({ $ref: '#/components/headers/Location' });
  });

  it('shows runnable examples: the example app, real slugs and ids that look like ids', () => {
    const deploy = doc.components.schemas.DeployRequest.example;
    expect(deploy).toMatchObject({ projectId: 'shop', image: 'file:examples/hello-api', environment: 'production' });
    expect(doc.components.schemas.CreateWorkspaceRequest.example).toEqual({ slug: 'acme', name: 'Acme Inc.' });
    expect(doc.components.schemas.CreateProjectRequest.example).toMatchObject({ slug: 'shop' });
    expect(doc.components.schemas.CreateApiKeyRequest.example).toMatchObject({ role: 'deployer' });
    const rollback = doc.paths['/v1/projects/{id}/rollback/{deploymentId}'].post.parameters;
    expect(rollback.find((p: Doc) => p.name === 'id').schema.example ?? rollback.find((p: Doc) => p.name === 'id').example).toBe('shop');
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/"example":"string"/);
    for (const id of text.match(/"[a-z]{2,4}_[0-9a-z]{26}"/g) ?? []) expect(JSON.parse(id)).toMatch(/^[a-z]{2,4}_[0-9a-hjkmnp-tv-z]{26}$/);
  });
});

describe('/docs', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('is a page that loads nothing from another host, and whose files this server serves from the pinned package', async () => {
    const page = await h.call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const urls = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) {
      expect(url).toMatch(/^\/docs\/assets\/\d+\.\d+\.\d+\//);
      const asset = await h.app.request(url);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toContain('immutable');
    }
    expect(page.text).not.toMatch(/https?:\/\//);
    expect(page.text).toContain('"/openapi.json"');
  });

  it('serves only its own files: anything else under /docs/assets is a 404', async () => {
    const version = /\/docs\/assets\/([^/]+)\//.exec((await h.call('GET', '/docs')).text)![1];
    for (const path of [`/docs/assets/${version}/package.json`, `/docs/assets/${version}/..%2F..%2Fpackage.json`, '/docs/assets/0.0.1/swagger-ui.css', `/docs/assets/${version}/index.html`]) {
      expect((await h.call('GET', path)).status).toBe(404);
    }
  });
});
