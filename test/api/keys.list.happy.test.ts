import { createApiKey, revokeApiKey } from '../../src/auth/api-key';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/keys and GET /v1/keys/{id} (happy)', () => {
  const { h, acme } = useApiHarness(['acme']);

  it("lists the workspace's keys newest first with prefix, role, name, dates and status; never the key or its hash", async () => {
    const made = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'ci', role: 'deployer', expiresAt: '2099-01-01T00:00:00Z' } });
    const revoked = await createApiKey(h.db.prisma, { workspaceId: acme.workspaceId, role: 'viewer', name: 'old dashboard' });
    await revokeApiKey(h.db.prisma, revoked.record.id);

    const res = await h.call('GET', '/v1/keys', { key: acme.admin });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const ids: string[] = res.body.data.map((k: { id: string }) => k.id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(ids).toHaveLength(5); // admin, deployer, viewer of the harness + two made here
    expect(res.body.data[0]).toEqual({
      id: revoked.record.id,
      prefix: revoked.record.prefix,
      role: 'viewer',
      name: 'old dashboard',
      status: 'revoked',
      createdAt: revoked.record.createdAt.toISOString(),
      createdBy: null,
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: expect.any(String),
    });
    expect(res.body.data[1]).toMatchObject({ id: made.body.id, name: 'ci', role: 'deployer', status: 'active', expiresAt: '2099-01-01T00:00:00.000Z' });

    const stored = await h.db.prisma.apiKey.findMany({ where: { workspaceId: acme.workspaceId } });
    for (const k of stored) expect(res.text).not.toContain(k.hash);
    for (const secret of [acme.admin, acme.deployer, acme.viewer, made.body.key, revoked.key]) expect(res.text).not.toContain(secret);
    for (const item of res.body.data) expect(Object.keys(item).sort()).toEqual(['createdAt', 'createdBy', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'role', 'status']);
  });

  it('pages with limit and cursor', async () => {
    const first = await h.call('GET', '/v1/keys?limit=2', { key: acme.admin });
    expect(first.body.data).toHaveLength(2);
    const rest = await h.call('GET', `/v1/keys?limit=100&cursor=${first.body.nextCursor}`, { key: acme.admin });
    const all = await h.call('GET', '/v1/keys', { key: acme.admin });
    expect([...first.body.data, ...rest.body.data].map((k: { id: string }) => k.id)).toEqual(all.body.data.map((k: { id: string }) => k.id));
  });

  it('shows when a key was last used, to the minute', async () => {
    const made = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'used', role: 'viewer' } });
    expect(made.body.lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await h.call('GET', '/v1/projects', { key: made.body.key })).status).toBe(200);
    const shown = await h.call('GET', `/v1/keys/${made.body.id}`, { key: acme.admin });
    const usedAt = Date.parse(shown.body.lastUsedAt);
    expect(usedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(usedAt).toBeLessThanOrEqual(Date.now());
  });

  it('shows one key by id exactly as the list shows it, never the key or its hash', async () => {
    const made = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'one', role: 'deployer' } });
    const shown = await h.call('GET', `/v1/keys/${made.body.id}`, { key: acme.admin });
    expect(shown.status).toBe(200);
    const listed = (await h.call('GET', '/v1/keys', { key: acme.admin })).body.data.find((k: { id: string }) => k.id === made.body.id);
    expect(shown.body).toEqual(listed);
    const { key: _secret, ...view } = made.body;
    expect(shown.body).toEqual(view);
    const stored = await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id: made.body.id } });
    expect(shown.text).not.toContain(made.body.key);
    expect(shown.text).not.toContain(stored.hash);
  });
});
