import { useApiHarness } from './support/use-api-harness';

describe('DELETE /v1/keys/{id} (happy)', () => {
  const { h, acme } = useApiHarness(['acme']);

  const mint = async (role: string, name = `${role} key`) => (await h.call('POST', '/v1/keys', { key: acme.admin, body: { name, role } })).body;

  it('revokes a leaked key: the answer shows it revoked and its next request is a 401', async () => {
    const leaked = await mint('deployer', 'leaked');
    expect((await h.call('GET', '/v1/projects', { key: leaked.key })).status).toBe(200);
    const res = await h.call('DELETE', `/v1/keys/${leaked.id}`, { key: acme.admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: leaked.id, status: 'revoked', revokedAt: expect.any(String) });
    expect(res.body.key).toBeUndefined();
    const after = await h.call('GET', '/v1/projects', { key: leaked.key });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);
  });

  it('answers a second revocation the same, changing nothing', async () => {
    const k = await mint('viewer');
    const first = await h.call('DELETE', `/v1/keys/${k.id}`, { key: acme.admin });
    const second = await h.call('DELETE', `/v1/keys/${k.id}`, { key: acme.admin });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
  });

  it('lets an admin revoke another admin key, and its own while another admin key remains', async () => {
    const second = await mint('admin', 'second admin');
    const res = await h.call('DELETE', `/v1/keys/${second.id}`, { key: acme.admin });
    expect(res.status).toBe(200);
    const third = await mint('admin', 'third admin');
    const own = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'admin', name: null } });
    const self = await h.call('DELETE', `/v1/keys/${own.id}`, { key: acme.admin });
    expect(self.status).toBe(200);
    expect((await h.call('GET', '/v1/keys', { key: acme.admin })).status).toBe(401);
    expect((await h.call('GET', '/v1/keys', { key: third.key })).status).toBe(200);
  });
});
