import { errorFields, WorkspaceKeys } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('DELETE /v1/keys/{id} (errors)', () => {
  const { h } = useApiHarness([]);

  it('answers 400 naming the id for something that is not a key id, 404 for a key that does not exist', async () => {
    const acme = await h.workspace('acme');
    const bad = await h.call('DELETE', '/v1/keys/..%2F..%2Fetc', { key: acme.admin });
    expect(bad.status).toBe(400);
    expect(errorFields(bad)).toEqual(['id']);
    const missing = await h.call('DELETE', '/v1/keys/key_01jx4m7k2q9d3w8r5t6y0z1a2b', { key: acme.admin });
    expect(missing.status).toBe(404);
  });

  it("refuses to revoke the workspace's last active admin key with 409 last_admin_key, and it keeps working", async () => {
    const solo: WorkspaceKeys = await h.workspace('solo');
    const admin = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: solo.workspaceId, role: 'admin' } });
    const res = await h.call('DELETE', `/v1/keys/${admin.id}`, { key: solo.admin });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('last_admin_key');
    expect(res.body.error.message).toMatch(/create another admin key first/);
    expect((await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id: admin.id } })).revokedAt).toBeNull();
    expect((await h.call('GET', '/v1/keys', { key: solo.admin })).status).toBe(200);
  });

  it('does not count an expired or revoked admin key as the one that remains', async () => {
    const ws = await h.workspace('expiring');
    const admin = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, role: 'admin' } });
    const soon = await h.call('POST', '/v1/keys', { key: ws.admin, body: { name: 'soon', role: 'admin', expiresAt: new Date(Date.now() + 60_000).toISOString() } });
    await h.db.prisma.apiKey.update({ where: { id: soon.body.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    const gone = await h.call('POST', '/v1/keys', { key: ws.admin, body: { name: 'gone', role: 'admin' } });
    await h.call('DELETE', `/v1/keys/${gone.body.id}`, { key: ws.admin });
    const res = await h.call('DELETE', `/v1/keys/${admin.id}`, { key: ws.admin });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('last_admin_key');
  });

  it('lets exactly one of two admins revoking each other at the same moment win: the workspace keeps an admin key', async () => {
    for (let round = 0; round < 5; round++) {
      const ws = await h.workspace(`race-${round}`);
      const first = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, role: 'admin' } });
      const second = await h.call('POST', '/v1/keys', { key: ws.admin, body: { name: 'second', role: 'admin' } });
      const [a, b] = await Promise.all([
        h.call('DELETE', `/v1/keys/${second.body.id}`, { key: ws.admin }),
        h.call('DELETE', `/v1/keys/${first.id}`, { key: second.body.key }),
      ]);
      const statuses = [a.status, b.status].sort();
      // Either one revocation won and the other was refused (409, or 401 when its own key was revoked first).
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      const active = await h.db.prisma.apiKey.count({ where: { workspaceId: ws.workspaceId, role: 'admin', revokedAt: null } });
      expect(active).toBe(1);
    }
  });
});
