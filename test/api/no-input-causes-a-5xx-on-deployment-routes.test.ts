import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

/** SPEC §8 "Bad input" for the deployment, routing and operation routes: whatever arrives, a 4xx in the error shape. */
describe('no input causes a 5xx on the deployment, routing and operation routes', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  let live: string;
  let target: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
    live = (await seedDeployment(h.db.prisma, { projectId, live: true })).id;
    target = (await seedDeployment(h.db.prisma, { projectId })).id;
  });

  const json = { 'content-type': 'application/json' };
  const bodies: Array<[string, { rawBody?: string | Uint8Array; body?: unknown; headers?: Record<string, string> }]> = [
    ['null', { rawBody: 'null', headers: json }],
    ['an array', { body: [{ projectId: 'shop' }] }],
    ['a number', { rawBody: '7', headers: json }],
    ['deeply nested objects', { rawBody: '{"a":'.repeat(3000) + '1' + '}'.repeat(3000), headers: json }],
    ['object fields', { body: { projectId: { $ne: '' }, image: { toString: 'x' }, reason: { a: 1 }, expectedSourceDeploymentId: [] } }],
    ['a prototype-polluting key', { rawBody: '{"projectId":"shop","image":"nginx","__proto__":{"admin":true}}', headers: json }],
    ['a NUL everywhere', { body: { projectId: 'shop\u0000', image: 'a\u0000b', reason: '\u0000', expectedSourceDeploymentId: 'dep_\u0000' } }],
    ['a lone surrogate', { rawBody: '{"projectId":"\\ud800","image":"x","reason":"\\udc00"}', headers: json }],
    ['a huge number', { rawBody: '{"projectId":"shop","image":"nginx","runtime":{"replicas":1e999,"memoryMib":-1e999}}', headers: json }],
    ['invalid UTF-8', { rawBody: new Uint8Array([0x7b, 0x22, 0x72, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), headers: json }],
    ['a truncated body', { rawBody: '{"reason":"x', headers: json }],
    ['a bogus content type', { rawBody: '{}', headers: { 'content-type': '%%%/###' } }],
    ['form data', { rawBody: 'reason=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
    ['a body over 1 MiB', { body: { projectId: 'shop', image: 'nginx', reason: 'x'.repeat(1024 * 1024 + 10) } }],
    ['2000 env vars', { body: { projectId: 'shop', image: 'nginx', runtime: { env: Object.fromEntries(Array.from({ length: 2000 }, (_v, i) => [`V${i}`, 'x'])) } } }],
  ];
  const posts = () => [
    '/v1/deployments',
    `/v1/projects/shop/rollback/${target}`,
    `/v1/projects/${projectId}/promote/${target}`,
    '/v1/projects/shop/routes/undo',
    `/v1/deployments/${live}/cancel`,
  ];

  it.each(bodies)('POST with %s answers a 4xx (or accepts it) on every route, never a 5xx', async (_what, options) => {
    for (const path of posts()) {
      const res = await h.call('POST', path, { key: acme.admin, ...options });
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) {
        expect(typeof res.body.error.code).toBe('string');
        expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
      }
    }
  });

  const paths = [
    '/v1/deployments?limit=%00',
    '/v1/deployments?status[]=ready',
    '/v1/deployments?projectId=%00',
    '/v1/deployments?projectId=prj_%00&environment=%00',
    '/v1/deployments?cursor=dep_' + 'z'.repeat(26),
    `/v1/deployments/${'d'.repeat(5000)}`,
    '/v1/deployments/%E0%A4%A/events',
    '/v1/deployments/%00/openapi',
    '/v1/operations/%00?wait=%00',
    '/v1/operations/op_x?wait=1e400',
    '/v1/operations/op_x?wait[]=1',
    '/v1/projects/%00/routes',
    '/v1/projects/shop/route-changes?cursor=%00',
    '/v1/projects/shop/route-changes?cursor=2147483648',
  ];

  const titled = paths.map((path) => [path.length > 80 ? `${path.slice(0, 40)}… (${path.length} characters)` : path, path]);

  it.each(titled)('GET %s answers below 500', async (_title, path) => {
    const res = await h.call('GET', path, { key: acme.viewer });
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) expect(typeof res.body.error.code).toBe('string');
  });
});
