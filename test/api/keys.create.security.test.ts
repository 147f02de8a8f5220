import { createApiKey } from '../../src/auth/api-key';
import { everyStoredText } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/keys (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);

  const body = { name: 'escalation', role: 'admin' };
  const count = () => h.db.prisma.apiKey.count();

  it('answers 401 without a key or with an unknown one', async () => {
    const before = await count();
    expect((await h.call('POST', '/v1/keys', { body })).status).toBe(401);
    expect((await h.call('POST', '/v1/keys', { key: 'df_00000000000000000000000000000000', body })).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it.each(['deployer', 'viewer'] as const)('refuses a %s key with 403: only admins make keys (no escalation)', async (role) => {
    const before = await count();
    const res = await h.call('POST', '/v1/keys', { key: acme[role], body });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await count()).toBe(before);
  });

  it('refuses the root key and platform keys with 403: they belong to no workspace', async () => {
    const platform = (await createApiKey(h.db.prisma, { workspaceId: null, role: 'viewer', name: 'platform' })).key;
    const before = await count();
    expect((await h.call('POST', '/v1/keys', { key: h.rootKey, body })).status).toBe(403);
    expect((await h.call('POST', '/v1/keys', { key: platform, body })).status).toBe(403);
    expect(await count()).toBe(before);
  });

  it("puts the new key in the caller's workspace and no other: it cannot reach another workspace's resources", async () => {
    await h.call('POST', '/v1/projects', { key: globex.admin, body: { slug: 'secret', name: 'Secret' } });
    const res = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'mine', role: 'admin' } });
    expect(res.status).toBe(201);
    expect((await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id: res.body.id } })).workspaceId).toBe(acme.workspaceId);
    expect((await h.call('GET', '/v1/projects/secret', { key: res.body.key })).status).toBe(404);
  });

  it('stores only the hash and prefix: the key is nowhere in the database, idempotency records included', async () => {
    const res = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'hashed', role: 'deployer' }, headers: { 'idempotency-key': 'hashed-1' } });
    expect(res.status).toBe(201);
    const everything = await everyStoredText(h.db);
    expect(everything).toContain(res.body.prefix);
    expect(everything).not.toContain(res.body.key);
    expect(everything).not.toContain(res.body.key.slice(10));
  });

  it('does not replay a minted key to another key of the workspace presenting the same Idempotency-Key', async () => {
    const other = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'second admin', role: 'admin' } });
    const first = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'ci', role: 'deployer' }, headers: { 'idempotency-key': 'shared-key' } });
    const second = await h.call('POST', '/v1/keys', { key: other.body.key, body: { name: 'ci', role: 'deployer' }, headers: { 'idempotency-key': 'shared-key' } });
    expect(second.status).toBe(201);
    expect(second.body.key).not.toBe(first.body.key);
  });
});
