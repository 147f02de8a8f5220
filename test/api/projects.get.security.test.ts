import { revokeApiKey } from '../../src/auth/api-key';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects/:id (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let project: { id: string; slug: string };
  beforeAll(async () => {
    project = (await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'api', name: 'API' } })).body;
  });

  it('answers 401 without a key and for a bad key', async () => {
    expect((await h.call('GET', `/v1/projects/${project.id}`)).status).toBe(401);
    expect((await h.call('GET', `/v1/projects/${project.id}`, { key: 'not-a-key' })).status).toBe(401);
  });

  it('answers 401 for a revoked key', async () => {
    const ws = await h.workspace('short-lived');
    const viewer = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, role: 'viewer' } });
    await revokeApiKey(h.db.prisma, viewer.id);
    expect((await h.call('GET', `/v1/projects/${project.id}`, { key: ws.viewer })).status).toBe(401);
  });

  it("answers another workspace's key 404 — the same answer as for a project that does not exist", async () => {
    for (const role of ['admin', 'deployer', 'viewer'] as const) {
      for (const ref of [project.id, project.slug]) {
        const res = await h.call('GET', `/v1/projects/${ref}`, { key: globex[role] });
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('not_found');
        expect(res.text).not.toContain(acme.workspaceId);
      }
    }
    const missing = await h.call('GET', '/v1/projects/prj_0000000000000000000000000z', { key: globex.admin });
    const foreign = await h.call('GET', `/v1/projects/${project.id}`, { key: globex.admin });
    expect(Object.keys(foreign.body.error).sort()).toEqual(Object.keys(missing.body.error).sort());
    expect(foreign.body.error.message.replace(project.id, 'X')).toBe(missing.body.error.message.replace('prj_0000000000000000000000000z', 'X'));
  });

  it('answers 403 to the root key: projects need a workspace key', async () => {
    const res = await h.call('GET', `/v1/projects/${project.id}`, { key: h.rootKey });
    expect(res.status).toBe(403);
  });

  it('answers a viewer that tries to write to the project 403', async () => {
    const res = await h.call('POST', `/v1/projects/${project.id}/routes/undo`, { key: acme.viewer, body: {} });
    expect(res.status).toBe(403);
    expect(await h.db.prisma.operation.count()).toBe(0);
  });
});
