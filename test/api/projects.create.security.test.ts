import { revokeApiKey } from '../../src/auth/api-key';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/projects (security)', () => {
  const { h, acme } = useApiHarness(['acme']);

  const body = { slug: 'api', name: 'API' };
  const projectCount = () => h.db.prisma.project.count();

  it('answers 401 without a key', async () => {
    const res = await h.call('POST', '/v1/projects', { body });
    expect(res.status).toBe(401);
    expect(await projectCount()).toBe(0);
  });

  it('answers 401 for a key that was never issued', async () => {
    const res = await h.call('POST', '/v1/projects', { key: 'df_' + 'x'.repeat(32), body });
    expect(res.status).toBe(401);
    expect(await projectCount()).toBe(0);
  });

  it('answers 401 for a revoked key', async () => {
    const ws = await h.workspace('revoked-co');
    const record = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, role: 'admin' } });
    expect((await h.call('GET', '/v1/projects', { key: ws.admin })).status).toBe(200);
    await revokeApiKey(h.db.prisma, record.id);
    const res = await h.call('POST', '/v1/projects', { key: ws.admin, body });
    expect(res.status).toBe(401);
    expect(await projectCount()).toBe(0);
  });

  it('answers 403 to a viewer, whatever the body', async () => {
    for (const payload of [body, { nonsense: true }]) {
      const res = await h.call('POST', '/v1/projects', { key: acme.viewer, body: payload });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect(await projectCount()).toBe(0);
  });

  it('answers 403 to the root key, telling it to use a workspace key', async () => {
    const res = await h.call('POST', '/v1/projects', { key: h.rootKey, body });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/workspace/);
    expect(await projectCount()).toBe(0);
  });

  it("creates the project in the caller's own workspace only", async () => {
    const globex = await h.workspace('globex');
    const res = await h.call('POST', '/v1/projects', { key: globex.deployer, body });
    expect(res.status).toBe(201);
    expect(res.body.workspaceId).toBe(globex.workspaceId);
    expect(await h.db.prisma.project.count({ where: { workspaceId: acme.workspaceId } })).toBe(0);
  });
});
