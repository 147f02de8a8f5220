import { useApiHarness } from './support/use-api-harness';

/** SPEC §8 "Bad input": whatever arrives, the answer is a 4xx in the error shape, never a 5xx, and nothing is written. */
describe('no input causes a 5xx', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'api', name: 'API' } })).body.id;
  });

  const deeplyNested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const json = { 'content-type': 'application/json' };

  const bodies: Array<[string, { rawBody?: string | Uint8Array; body?: unknown; headers?: Record<string, string> }]> = [
    ['a body over 1 MiB', { rawBody: JSON.stringify({ slug: 'big', name: 'x'.repeat(1024 * 1024 + 10) }), headers: json }],
    ['deeply nested arrays', { rawBody: deeplyNested(5000), headers: json }],
    ['deeply nested objects', { rawBody: '{"a":'.repeat(3000) + '1' + '}'.repeat(3000), headers: json }],
    ['null', { rawBody: 'null', headers: json }],
    ['an array', { body: [{ slug: 'a', name: 'b' }] }],
    ['a string', { body: 'slug=a' }],
    ['a number', { rawBody: '42', headers: json }],
    ['null fields', { body: { slug: null, name: null } }],
    ['array fields', { body: { slug: ['a'], name: ['b'] } }],
    ['object fields', { body: { slug: { $ne: '' }, name: { toString: 'x' } } }],
    ['a prototype-polluting key', { rawBody: '{"slug":"proto","name":"p","__proto__":{"admin":true}}', headers: json }],
    ['a constructor key', { body: { slug: 'ctor', name: 'c', constructor: { prototype: { x: 1 } } } }],
    ['a NUL in the name', { body: { slug: 'nul', name: 'a\u0000b' } }],
    ['a lone surrogate in the slug', { rawBody: '{"slug":"\\ud800","name":"x"}', headers: json }],
    ['emoji and RTL text in the slug', { body: { slug: '🚀\u202eevil', name: 'x' } }],
    ['SQL in the slug', { body: { slug: "a'; DROP TABLE \"Project\"; --", name: 'x' } }],
    ['a huge number', { rawBody: '{"slug": 1e999, "name": "x"}', headers: json }],
    ['duplicate keys', { rawBody: '{"slug":"dup","slug":"DUP","name":"x"}', headers: json }],
    ['invalid UTF-8', { rawBody: new Uint8Array([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), headers: json }],
    ['a JSON content type with a charset', { rawBody: '{"slug":', headers: { 'content-type': 'application/json; charset=utf-8' } }],
    ['a bogus content type', { rawBody: '{}', headers: { 'content-type': '%%%/###' } }],
    ['a body without a content type', { rawBody: '{"slug":"a","name":"b"}', headers: {} }],
    ['multipart form data', { rawBody: '--x\r\nContent-Disposition: form-data; name="slug"\r\n\r\na\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' } }],
  ];

  for (const path of ['/v1/projects', '/v1/workspaces']) {
    it.each(bodies)(`POST ${path} with %s answers a 4xx and writes nothing`, async (_what, options) => {
      const key = path === '/v1/workspaces' ? h.rootKey : acme.admin;
      const before = [await h.db.prisma.project.count(), await h.db.prisma.workspace.count()];
      const res = await h.call('POST', path, { key, ...options });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(typeof res.body.error.code).toBe('string');
      expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
      expect([await h.db.prisma.project.count(), await h.db.prisma.workspace.count()]).toEqual(before);
    });
  }

  it('answers 413 for a body over 1 MiB', async () => {
    const res = await h.call('POST', '/v1/projects', { key: acme.admin, rawBody: 'x'.repeat(1024 * 1024 + 1), headers: json });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  const paths = [
    '/v1/projects/..%2F..%2Fetc%2Fpasswd',
    '/v1/projects/../../etc/passwd',
    "/v1/projects/'%20OR%201=1--",
    '/v1/projects/%27%3B%20DROP%20TABLE%20%22Project%22%3B--',
    '/v1/projects/%00',
    '/v1/projects/%E0%A4%A',
    '/v1/projects/%',
    '/v1/projects/%F0%9F%9A%80',
    `/v1/projects/${'x'.repeat(5000)}`,
    '/v1/projects/prj_%00',
    '/v1/projects/PROJECT_ID%00',
    '/v1/projects/PROJECT_ID/../PROJECT_ID',
    '/v1/projects?limit=%00',
    '/v1/projects?limit=99999999999999999999999',
    '/v1/projects?cursor=%00',
    '/v1/projects?limit[]=1',
    '/v1//projects',
    '/v1/projects/api/',
    '/%2e%2e/%2e%2e/',
    '/v1/' + 'a/'.repeat(2000),
  ];

  it.each(paths)('GET %s answers below 500', async (path) => {
    const res = await h.call('GET', path.replaceAll('PROJECT_ID', projectId), { key: acme.viewer });
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) expect(typeof res.body.error.code).toBe('string');
  });

  it.each([
    ['a 10 kB Authorization header', { authorization: 'Bearer ' + 'k'.repeat(10_000) }],
    ['an Authorization header with odd spacing', { authorization: 'bearer    ' }],
    ['a request id full of junk', { 'x-request-id': '<script>alert(1)</script>' }],
  ])('GET /v1/projects with %s answers below 500', async (_what, headers) => {
    const res = await h.call('GET', '/v1/projects', { headers });
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('answers 404 not_found for unknown paths and 405 method_not_allowed for a known path, in the error shape', async () => {
    for (const [method, path] of [['GET', '/nope'], ['DELETE', '/v1/nope/deeper']] as const) {
      const res = await h.call(method, path, { key: acme.admin });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    // A method a known path does not take (issue 13: 405 with Allow, not 404).
    for (const [method, path] of [['PUT', '/healthz'], ['PATCH', '/v1/projects']] as const) {
      const res = await h.call(method, path, { key: acme.admin });
      expect(res.status).toBe(405);
      expect(res.body.error.code).toBe('method_not_allowed');
    }
  });
});
