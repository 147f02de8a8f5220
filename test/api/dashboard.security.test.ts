import { createApiKey, revokeApiKey } from '../../src/auth/api-key';
import { ApiHarness } from './support/api-harness';
import { basicAuth } from './support/basic-auth';
import { useApiHarness } from './support/use-api-harness';

describe('bull-board at /admin/queues (security)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let platformViewer: string;
  beforeAll(async () => {
    platformViewer = (await createApiKey(h.db.prisma, { workspaceId: null, role: 'viewer' })).key;
  });

  const paused = () => h.queues.steps.isPaused();
  const expectChallenge = (res: Awaited<ReturnType<ApiHarness['call']>>) => {
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="deployflow"/);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.text).not.toContain('<html');
  };

  it.each(['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/favicon-32x32.png', '/admin/queues/queue/steps'])(
    'answers %s without a key with 401 and a Basic challenge, so a browser prompts',
    async (path) => {
      expectChallenge(await h.call('GET', path));
    },
  );

  it.each([
    ['an unknown Bearer key', { authorization: `Bearer df_${'q'.repeat(32)}` }],
    ['an unknown Basic password', basicAuth(`df_${'q'.repeat(32)}`)],
    ['Basic with an empty password and user', basicAuth('', '')],
    ['a Basic header that is not base64', { authorization: 'Basic %%%not-base64%%%' }],
    ['another scheme', { authorization: 'Digest username="x"' }],
  ])('answers 401 for %s', async (_what, headers) => {
    expectChallenge(await h.call('GET', '/admin/queues/api/queues', { headers }));
  });

  it('answers 401 for a revoked platform key', async () => {
    const { key, record } = await createApiKey(h.db.prisma, { workspaceId: null, role: 'viewer' });
    expect((await h.call('GET', '/admin/queues', { headers: basicAuth(key) })).status).toBe(200);
    await revokeApiKey(h.db.prisma, record.id);
    expectChallenge(await h.call('GET', '/admin/queues', { headers: basicAuth(key) }));
  });

  it('refuses every key of a workspace, admin included: the board shows all workspaces\' jobs', async () => {
    for (const key of [acme.admin, acme.deployer, acme.viewer]) {
      const res = await h.call('GET', '/admin/queues/api/queues', { headers: basicAuth(key) });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/platform viewer key/);
    }
    expect((await h.call('PUT', '/admin/queues/api/queues/steps/pause', { headers: basicAuth(acme.admin) })).status).toBe(403);
    expect(await paused()).toBe(false);
  });

  it.each([
    ['PUT', '/admin/queues/api/queues/steps/pause'],
    ['PUT', '/admin/queues/api/queues/routing/empty'],
    ['PUT', '/admin/queues/api/queues/operations/obliterate'],
    ['POST', '/admin/queues/api/queues/steps/add'],
    ['PUT', '/admin/queues/api/queues/steps/retry/failed'],
  ])('refuses %s %s to a platform viewer key (read-only board)', async (method, path) => {
    for (const key of [platformViewer]) {
      const res = await h.call(method, path, { headers: basicAuth(key), body: { name: 'x', data: {} } });
      expect(res.status).toBe(405);
    }
    expect(await paused()).toBe(false);
  });

  it('refuses a cross-site action even with valid root credentials (the browser would send them)', async () => {
    const headers = { ...basicAuth(h.rootKey), origin: 'http://evil.example' };
    expect((await h.call('PUT', '/admin/queues/api/queues/steps/pause', { headers })).status).toBe(403);
    const viaFetchMetadata = { ...basicAuth(h.rootKey), 'sec-fetch-site': 'cross-site' };
    expect((await h.call('PUT', '/admin/queues/api/queues/steps/pause', { headers: viaFetchMetadata })).status).toBe(403);
    expect(await paused()).toBe(false);
    // The board's own page (same origin) may act.
    const sameOrigin = { ...basicAuth(h.rootKey), origin: 'http://localhost', 'sec-fetch-site': 'same-origin' };
    expect((await h.call('PUT', '/admin/queues/api/queues/steps/pause', { headers: sameOrigin })).status).toBeLessThan(300);
    expect(await paused()).toBe(true);
    await h.queues.steps.resume();
  });

  it('accepts Basic credentials on the dashboard only: the API still wants a Bearer key', async () => {
    const res = await h.call('GET', '/v1/projects', { headers: basicAuth(acme.admin) });
    expect(res.status).toBe(401);
  });
});
