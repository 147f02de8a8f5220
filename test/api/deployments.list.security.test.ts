import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexProjectId: string;
  let acmeDeploymentId: string;
  beforeAll(async () => {
    const acmeProject = await createProject(h, acme.admin, 'shop');
    globexProjectId = (await createProject(h, globex.admin, 'secret')).id;
    acmeDeploymentId = (await seedDeployment(h.db.prisma, { projectId: acmeProject.id })).id;
    await seedDeployment(h.db.prisma, { projectId: globexProjectId });
  });

  it('answers 401 without a key', async () => {
    expect((await h.call('GET', '/v1/deployments')).status).toBe(401);
  });

  it('answers 403 to the root key', async () => {
    expect((await h.call('GET', '/v1/deployments', { key: h.rootKey })).status).toBe(403);
  });

  it("lists only the caller's workspace, for every role", async () => {
    for (const key of [acme.admin, acme.deployer, acme.viewer]) {
      const res = await h.call('GET', '/v1/deployments', { key });
      expect(res.status).toBe(200);
      expect(res.body.data.map((d: { id: string }) => d.id)).toEqual([acmeDeploymentId]);
    }
  });

  it("answers 404 when filtering by another workspace's project", async () => {
    for (const projectId of [globexProjectId, 'secret']) {
      const res = await h.call('GET', `/v1/deployments?projectId=${projectId}`, { key: acme.viewer });
      expect(res.status).toBe(404);
    }
  });

  it("never pages into another workspace's deployments through the cursor", async () => {
    const res = await h.call('GET', '/v1/deployments?cursor=dep_zzzzzzzzzzzzzzzzzzzzzzzzzz', { key: globex.viewer });
    expect(res.status).toBe(200);
    expect(res.body.data.map((d: { projectId: string }) => d.projectId)).toEqual([globexProjectId]);
  });
});
