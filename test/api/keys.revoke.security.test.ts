import { useApiHarness } from './support/use-api-harness';

describe('DELETE /v1/keys/{id} (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);

  const unrevoked = () => h.db.prisma.apiKey.count({ where: { revokedAt: null } });

  it('answers 401 without a key', async () => {
    const target = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'viewer' } });
    const before = await unrevoked();
    expect((await h.call('DELETE', `/v1/keys/${target.id}`)).status).toBe(401);
    expect(await unrevoked()).toBe(before);
  });

  it.each(['deployer', 'viewer'] as const)('refuses a %s key with 403, even for its own key', async (role) => {
    const before = await unrevoked();
    const admin = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'admin' } });
    const own = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role } });
    expect((await h.call('DELETE', `/v1/keys/${admin.id}`, { key: acme[role] })).status).toBe(403);
    expect((await h.call('DELETE', `/v1/keys/${own.id}`, { key: acme[role] })).status).toBe(403);
    expect(await unrevoked()).toBe(before);
  });

  it("answers 404 for another workspace's key and leaves it working", async () => {
    const theirs = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: globex.workspaceId, role: 'deployer' } });
    const res = await h.call('DELETE', `/v1/keys/${theirs.id}`, { key: acme.admin });
    expect(res.status).toBe(404);
    expect((await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id: theirs.id } })).revokedAt).toBeNull();
    expect((await h.call('GET', '/v1/projects', { key: globex.deployer })).status).toBe(200);
  });

  it('answers 404 for the root key, and the root key cannot revoke workspace keys (403)', async () => {
    const root = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: null, role: 'admin' } });
    expect((await h.call('DELETE', `/v1/keys/${root.id}`, { key: acme.admin })).status).toBe(404);
    const target = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'viewer' } });
    expect((await h.call('DELETE', `/v1/keys/${target.id}`, { key: h.rootKey })).status).toBe(403);
    expect((await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id: root.id } })).revokedAt).toBeNull();
  });
});
