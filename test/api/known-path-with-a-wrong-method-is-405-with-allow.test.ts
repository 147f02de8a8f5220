import { useApiHarness } from './support/use-api-harness';

describe('405 Method Not Allowed', () => {
  const { h, acme } = useApiHarness(['acme']);
  beforeAll(async () => {
    await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'shop', name: 'Shop' } });
  });

  it.each([
    ['DELETE', '/v1/projects/shop', 'GET, HEAD, OPTIONS'],
    ['PUT', '/v1/projects', 'GET, HEAD, OPTIONS, POST'],
    ['PATCH', '/v1/keys/key_01jx4m7k2q9d3w8r5t6y0z1a2b', 'DELETE, GET, HEAD, OPTIONS'],
    ['GET', '/v1/deployments/dep_01h2xcejqtf2nbrexx3vqjhp41/cancel', 'OPTIONS, POST'],
    ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/openapi.json', 'GET, HEAD, OPTIONS'],
  ])('%s %s answers 405 with Allow: %s, in the one error shape', async (method, path, allow) => {
    const res = await h.call(method, path, { key: acme.admin });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.body.error).toMatchObject({ code: 'method_not_allowed', details: { allow: allow.split(', ') } });
    expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('answers 405 before authentication (the API\'s shape is public) and changes nothing', async () => {
    const res = await h.call('DELETE', '/v1/projects/shop');
    expect(res.status).toBe(405);
    expect(await h.db.prisma.project.count({ where: { slug: 'shop' } })).toBe(1);
  });

  it('answers a plain OPTIONS on a known path with 204 and Allow', async () => {
    const res = await h.call('OPTIONS', '/v1/projects');
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
  });

  it('still answers 404 for a path that is not the API\'s, and serves HEAD where GET is', async () => {
    expect((await h.call('DELETE', '/v1/nothing/here', { key: acme.admin })).status).toBe(404);
    expect((await h.call('GET', '/no/such/path')).status).toBe(404);
    expect((await h.call('HEAD', '/healthz')).status).toBe(200);
  });

  it('leaves the dashboard\'s own method handling alone', async () => {
    const res = await h.call('DELETE', '/admin/queues');
    expect(res.status).toBe(401);
  });
});
