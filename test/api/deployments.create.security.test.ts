import { revokeApiKey } from '../../src/auth/api-key';
import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/deployments (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexProjectId: string;
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
    globexProjectId = (await createProject(h, globex.admin, 'secret')).id;
  });

  const body = { projectId: 'shop', image: 'file:examples/hello-api' };
  const deployments = () => h.db.prisma.deployment.count();

  it('answers 401 without a key or with an unknown key', async () => {
    expect((await h.call('POST', '/v1/deployments', { body })).status).toBe(401);
    expect((await h.call('POST', '/v1/deployments', { key: 'df_' + 'z'.repeat(32), body })).status).toBe(401);
    expect(await deployments()).toBe(0);
  });

  it('answers 401 for a revoked deployer key', async () => {
    const ws = await h.workspace();
    await createProject(h, ws.admin, 'shop');
    const record = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, role: 'deployer' } });
    await revokeApiKey(h.db.prisma, record.id);
    expect((await h.call('POST', '/v1/deployments', { key: ws.deployer, body })).status).toBe(401);
    expect(await deployments()).toBe(0);
  });

  it('answers 403 to a viewer and to the root key', async () => {
    const viewer = await h.call('POST', '/v1/deployments', { key: acme.viewer, body });
    expect(viewer.status).toBe(403);
    const root = await h.call('POST', '/v1/deployments', { key: h.rootKey, body });
    expect(root.status).toBe(403);
    expect(root.body.error.message).toMatch(/workspace/);
    expect(await deployments()).toBe(0);
  });

  it("answers 404 for another workspace's project, by id or slug, exactly as for a missing one", async () => {
    const byId = await h.call('POST', '/v1/deployments', { key: acme.admin, body: { ...body, projectId: globexProjectId } });
    const bySlug = await h.call('POST', '/v1/deployments', { key: acme.admin, body: { ...body, projectId: 'secret' } });
    const missing = await h.call('POST', '/v1/deployments', { key: acme.admin, body: { ...body, projectId: 'prj_00000000000000000000000000' } });
    for (const res of [byId, bySlug, missing]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(await deployments()).toBe(0);
  });

  it("deploys into the caller's own project when two workspaces use the same slug", async () => {
    await createProject(h, globex.admin, 'shop');
    const res = await h.call('POST', '/v1/deployments', { key: globex.deployer, body });
    expect(res.status).toBe(202);
    const row = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: res.body.deploymentId }, include: { project: true } });
    expect(row.project.workspaceId).toBe(globex.workspaceId);
  });
});
