import { createApiKey, revokeApiKey } from '../../src/auth/api-key';
import { everyStoredText } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/workspaces (security)', () => {
  const { h, acme } = useApiHarness(['acme']);

  const body = { slug: 'newco', name: 'NewCo' };
  const newcoExists = async () => (await h.db.prisma.workspace.count({ where: { slug: 'newco' } })) > 0;

  it('answers 401 without a key, with a WWW-Authenticate challenge', async () => {
    const res = await h.call('POST', '/v1/workspaces', { body });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await newcoExists()).toBe(false);
  });

  it.each([
    ['an unknown key', 'Bearer df_00000000000000000000000000000000'],
    ['another scheme', `Basic ${Buffer.from('root:root').toString('base64')}`],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 for %s', async (_what, authorization) => {
    const res = await h.call('POST', '/v1/workspaces', { body, headers: { authorization } });
    expect(res.status).toBe(401);
    expect(await newcoExists()).toBe(false);
  });

  it('answers 401 for a revoked root key', async () => {
    const { key, record } = await createApiKey(h.db.prisma, { workspaceId: null, role: 'admin', name: 'second root' });
    await revokeApiKey(h.db.prisma, record.id);
    const res = await h.call('POST', '/v1/workspaces', { key, body });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/revoked/);
    expect(await newcoExists()).toBe(false);
  });

  it.each(['admin', 'deployer', 'viewer'] as const)('refuses a workspace %s key with 403: only the root key creates workspaces', async (role) => {
    const res = await h.call('POST', '/v1/workspaces', { key: acme[role], body });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await newcoExists()).toBe(false);
  });

  it('checks permission before validating input (a non-root key learns nothing from a bad body)', async () => {
    const res = await h.call('POST', '/v1/workspaces', { key: acme.admin, body: { slug: 'BAD SLUG' } });
    expect(res.status).toBe(403);
  });

  it('stores keys only as hashes: no plaintext key anywhere in the database, idempotency records included', async () => {
    const res = await h.call('POST', '/v1/workspaces', { key: h.rootKey, body: { slug: 'hashed', name: 'Hashed' }, headers: { 'idempotency-key': 'ws-hashed-1' } });
    expect(res.status).toBe(201);
    const plaintext: string = res.body.apiKey.key;
    const everything = await everyStoredText(h.db);
    expect(everything).toContain(res.body.apiKey.prefix);
    expect(everything).not.toContain(plaintext);
    expect(everything).not.toContain(plaintext.slice(10));
    expect(everything).not.toContain(h.rootKey);
    for (const key of [acme.admin, acme.deployer, acme.viewer]) expect(everything).not.toContain(key);
    expect(await h.db.prisma.idempotencyRecord.count()).toBe(1);
  });
});
