import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/projects/:id/routes/undo (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexProjectId: string;
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
    globexProjectId = (await createProject(h, globex.admin, 'secret')).id;
  });

  const undos = () => h.db.prisma.operation.count({ where: { kind: 'undo' } });

  it('answers 401 without a key', async () => {
    expect((await h.call('POST', '/v1/projects/shop/routes/undo')).status).toBe(401);
    expect(await undos()).toBe(0);
  });

  it('answers 403 to a viewer and to the root key', async () => {
    expect((await h.call('POST', '/v1/projects/shop/routes/undo', { key: acme.viewer })).status).toBe(403);
    expect((await h.call('POST', '/v1/projects/shop/routes/undo', { key: h.rootKey })).status).toBe(403);
    expect(await undos()).toBe(0);
  });

  it("answers 404 for another workspace's project, by id or slug", async () => {
    expect((await h.call('POST', `/v1/projects/${globexProjectId}/routes/undo`, { key: acme.admin })).status).toBe(404);
    expect((await h.call('POST', '/v1/projects/secret/routes/undo', { key: acme.admin })).status).toBe(404);
    expect(await undos()).toBe(0);
  });

  it('lets a deployer of the workspace undo, recorded under its key', async () => {
    const res = await h.call('POST', '/v1/projects/shop/routes/undo', { key: acme.deployer });
    expect(res.status).toBe(202);
    const keyId = (await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'deployer' } })).id;
    expect((await h.db.prisma.operation.findUniqueOrThrow({ where: { id: res.body.operationId } })).requestedBy).toBe(keyId);
  });
});
