import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/keys and GET /v1/keys/{id} (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);

  it('answers 401 without a key', async () => {
    expect((await h.call('GET', '/v1/keys')).status).toBe(401);
  });

  it.each(['deployer', 'viewer'] as const)('refuses a %s key with 403: only admins see the key list', async (role) => {
    const res = await h.call('GET', '/v1/keys', { key: acme[role] });
    expect(res.status).toBe(403);
    const one = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId } });
    expect((await h.call('GET', `/v1/keys/${one.id}`, { key: acme[role] })).status).toBe(403);
  });

  it('refuses the root key with 403', async () => {
    expect((await h.call('GET', '/v1/keys', { key: h.rootKey })).status).toBe(403);
  });

  it("never lists another workspace's keys, and answers 404 for one by id, as for a key that does not exist", async () => {
    const res = await h.call('GET', '/v1/keys', { key: acme.admin });
    const globexKeys = await h.db.prisma.apiKey.findMany({ where: { workspaceId: globex.workspaceId } });
    const listed = new Set(res.body.data.map((k: { id: string }) => k.id));
    for (const k of globexKeys) expect(listed.has(k.id)).toBe(false);

    const theirs = await h.call('GET', `/v1/keys/${globexKeys[0].id}`, { key: acme.admin });
    const nobodys = await h.call('GET', '/v1/keys/key_01jx4m7k2q9d3w8r5t6y0z1a2b', { key: acme.admin });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.message).toBe(`API key "${globexKeys[0].id}" not found`);
    expect(nobodys.status).toBe(404);
  });

  it('answers 404 for the root key by id: it belongs to no workspace', async () => {
    const root = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: null } });
    expect((await h.call('GET', `/v1/keys/${root.id}`, { key: acme.admin })).status).toBe(404);
  });
});
