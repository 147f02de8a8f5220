import { revokeApiKey } from '../../src/auth/api-key';
import { eventStreamTokensFor } from '../../src/auth/event-stream-token';
import { errorFields, startApiHarness } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';
import { createProject, seedDeployment } from './support/deployments';

describe('POST /v1/deployments/:id/events/token and the token on the stream (errors)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let deploymentId: string;
  beforeAll(async () => {
    const projectId = (await createProject(h, acme.admin, 'shop')).id;
    deploymentId = (await seedDeployment(h.db.prisma, { projectId, status: 'ready' })).id;
  });

  const mint = async (key = acme.viewer, id = deploymentId) => {
    const res = await h.call('POST', `/v1/deployments/${id}/events/token`, { key });
    expect(res.status).toBe(200);
    return res.body.token as string;
  };
  const open = (token: string, id = deploymentId, headers: Record<string, string> = {}) =>
    h.call('GET', `/v1/deployments/${id}/events?token=${encodeURIComponent(token)}`, { headers });
  const expectRefused = (res: Awaited<ReturnType<typeof open>>, status: number, message: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.text).not.toContain('event:');
    expect(res.body.error.message).toMatch(message);
  };

  it('answers 404 for a deployment that does not exist, and 400 naming the field for a malformed id', async () => {
    const missing = await h.call('POST', '/v1/deployments/dep_00000000000000000000000000/events/token', { key: acme.viewer });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const malformed = await h.call('POST', `/v1/deployments/${'x'.repeat(300)}/events/token`, { key: acme.viewer });
    expect(malformed.status).toBe(400);
    expect(errorFields(malformed)).toEqual(['id']);
  });

  it('answers 401 saying so for an expired token', async () => {
    const grant = { deploymentId, workspaceId: acme.workspaceId, apiKeyId: (await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'viewer' } })).id };
    const { token } = await eventStreamTokensFor(h.ctx).mint(grant, new Date(Date.now() - 301_000));
    const res = await open(token);
    expectRefused(res, 401, /event stream token has expired/);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('answers 401 for a tampered token, one signed with another key, and one that is no token at all', async () => {
    const token = await mint();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 3600 })).toString('base64url');
    expectRefused(await open(`${header}.${forged}.${signature}`), 401, /token is invalid/);
    expectRefused(await open(`${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`), 401, /token is invalid/);

    const elsewhere = await startApiHarness({ db: h.db, env: { EVENTS_TOKEN_SECRET: 'another-servers-secret-of-at-least-32-chars' } });
    try {
      const foreign = (await elsewhere.call('POST', `/v1/deployments/${deploymentId}/events/token`, { key: acme.viewer })).body.token;
      expectRefused(await open(foreign), 401, /token is invalid/);
    } finally {
      await elsewhere.close();
    }
    expectRefused(await open('not-a-token'), 401, /token is invalid/);
    expectRefused(await open(''), 401, /token is invalid/);
  });

  it('answers 401 once the key that minted the token is revoked', async () => {
    const { key, id } = await (async () => {
      const res = await h.call('POST', '/v1/keys', { key: acme.admin, body: { role: 'viewer', name: 'dashboard' } });
      expect(res.status).toBe(201);
      return { key: res.body.key as string, id: res.body.id as string };
    })();
    const token = await mint(key);
    expect((await open(token)).status).toBe(200);
    await revokeApiKey(h.db.prisma, id);
    expectRefused(await open(token), 401, /minted this event stream token has been revoked/);
  });

  it('with an Authorization header the token is not consulted: the key decides', async () => {
    const token = await mint();
    expect((await open('not-a-token', deploymentId, { authorization: `Bearer ${acme.viewer}` })).status).toBe(200);
    expectRefused(await open(token, deploymentId, { authorization: 'Bearer df_not_a_key' }), 401, /API key is invalid/);
  });

  it('answers 400 naming Last-Event-ID for a malformed one, with a token as with a key', async () => {
    const res = await open(await mint(), deploymentId, { 'last-event-id': 'latest' });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['Last-Event-ID']);
  });
});
