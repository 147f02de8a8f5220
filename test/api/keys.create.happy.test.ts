import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/keys (happy)', () => {
  const { h, acme } = useApiHarness(['acme']);

  it('mints a deployer key for CI, shown once, that works at once for its role', async () => {
    const res = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'github-actions-shop', role: 'deployer' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ role: 'deployer', name: 'github-actions-shop', status: 'active', expiresAt: null, revokedAt: null, lastUsedAt: null });
    expect(res.body.id).toMatch(/^key_[0-9a-z]{26}$/);
    expect(res.body.key).toMatch(/^df_[0-9A-Za-z]{32}$/);
    expect(res.body.prefix).toBe(res.body.key.slice(0, 10));
    expect(res.headers.get('location')).toBe(`/v1/keys/${res.body.id}`);
    const admin = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'admin' } });
    expect(res.body.createdBy).toBe(admin.id);

    const project = await h.call('POST', '/v1/projects', { key: res.body.key, body: { slug: 'shop', name: 'Shop' } });
    expect(project.status).toBe(201);
    const stored = await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(stored.workspaceId).toBe(acme.workspaceId);
  });

  it.each(['admin', 'viewer'] as const)('mints a %s key', async (role) => {
    const res = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: `a ${role}`, role } });
    expect(res.status).toBe(201);
    expect(res.body.role).toBe(role);
    const list = await h.call('GET', '/v1/projects', { key: res.body.key });
    expect(list.status).toBe(200);
  });

  it('mints a key that expires: usable until then, 401 after', async () => {
    const expiresAt = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const res = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'one hour', role: 'viewer', expiresAt } });
    expect(res.status).toBe(201);
    expect(res.body.expiresAt).toBe(expiresAt);
    expect((await h.call('GET', '/v1/projects', { key: res.body.key })).status).toBe(200);
    // Time passes: the stored expiry moves into the past.
    await h.db.prisma.apiKey.update({ where: { id: res.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const after = await h.call('GET', '/v1/projects', { key: res.body.key });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/expired/);
    const shown = await h.call('GET', `/v1/keys/${res.body.id}`, { key: acme.admin });
    expect(shown.body.status).toBe('expired');
  });

  it('accepts an expiry with a time-zone offset and stores the instant', async () => {
    const later = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    const withOffset = later.toISOString().replace('Z', '+00:00');
    const res = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'offset', role: 'viewer', expiresAt: withOffset } });
    expect(res.status).toBe(201);
    expect(res.body.expiresAt).toBe(later.toISOString());
  });

  it('accepts the latest expiry a key can have, and lists and shows the key with it', async () => {
    const expiresAt = '9999-12-31T23:59:59.999Z';
    const res = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'far', role: 'viewer', expiresAt } });
    expect(res.status).toBe(201);
    expect(res.body.expiresAt).toBe(expiresAt);
    expect((await h.call('GET', `/v1/keys/${res.body.id}`, { key: acme.admin })).body).toMatchObject({ expiresAt, status: 'active' });
    const listed = await h.call('GET', '/v1/keys?limit=100', { key: acme.admin });
    expect(listed.status).toBe(200);
    expect(listed.body.data.find((k: { id: string }) => k.id === res.body.id)).toMatchObject({ expiresAt });
  });

  it('replays the same answer, key included, for a retry with the same Idempotency-Key, and mints nothing more', async () => {
    const before = await h.db.prisma.apiKey.count();
    const send = () => h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'retried', role: 'deployer' }, headers: { 'idempotency-key': 'mint-ci-key-1' } });
    const first = await send();
    const second = await send();
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(await h.db.prisma.apiKey.count()).toBe(before + 1);
  });
});
