import { createApiKey, revokeApiKey } from '../../src/auth/api-key';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects (security)', () => {
  const { h, acme } = useApiHarness(['acme']);
  beforeAll(async () => {
    await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'secret-project', name: 'Secret' } });
  });

  it('answers 401 without a key', async () => {
    const res = await h.call('GET', '/v1/projects');
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('secret-project');
  });

  it('answers 401 for a bad key', async () => {
    const res = await h.call('GET', '/v1/projects', { key: acme.admin + 'x' });
    expect(res.status).toBe(401);
  });

  it('answers 401 for a revoked key', async () => {
    const { key, record } = await createApiKey(h.db.prisma, { workspaceId: acme.workspaceId, role: 'viewer' });
    await revokeApiKey(h.db.prisma, record.id);
    expect((await h.call('GET', '/v1/projects', { key })).status).toBe(401);
  });

  it('lets a viewer read', async () => {
    const res = await h.call('GET', '/v1/projects', { key: acme.viewer });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
  });

  it('never lists another workspace’s projects, whatever cursor is given', async () => {
    const globex = await h.workspace('globex');
    const acmeProject = await h.db.prisma.project.findFirstOrThrow({ where: { workspaceId: acme.workspaceId } });
    const cursorPastIt = acmeProject.id.slice(0, -1) + 'z';
    for (const path of ['/v1/projects', `/v1/projects?cursor=${cursorPastIt}`, '/v1/projects?limit=100']) {
      const res = await h.call('GET', path, { key: globex.viewer });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([]);
    }
  });

  it('answers 403 to the root key: projects need a workspace key', async () => {
    const res = await h.call('GET', '/v1/projects', { key: h.rootKey });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/workspace/);
  });
});
