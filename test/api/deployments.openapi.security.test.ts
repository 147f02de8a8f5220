import { ApiHarness, startApiHarness, WorkspaceKeys } from './support/api-harness';
import { createProject, seedDeployment } from './support/deployments';

describe('GET /v1/deployments/:id/openapi (security)', () => {
  let h: ApiHarness;
  let acme: WorkspaceKeys;
  let globex: WorkspaceKeys;
  let globexDeploymentId: string;
  beforeAll(async () => {
    h = await startApiHarness();
    acme = await h.workspace('acme');
    globex = await h.workspace('globex');
    const secret = await createProject(h, globex.admin, 'secret');
    const spec = JSON.stringify({ openapi: '3.1.0', info: { title: 'internal billing', version: '1' }, paths: {} });
    globexDeploymentId = (await seedDeployment(h.db.prisma, { projectId: secret.id, openapiSpec: spec })).id;
  });
  afterAll(async () => h.close());

  it('answers 401 without a key and 403 to the root key', async () => {
    expect((await h.call('GET', `/v1/deployments/${globexDeploymentId}/openapi`)).status).toBe(401);
    expect((await h.call('GET', `/v1/deployments/${globexDeploymentId}/openapi`, { key: h.rootKey })).status).toBe(403);
  });

  it("answers 404 for another workspace's deployment, revealing nothing of its document", async () => {
    const res = await h.call('GET', `/v1/deployments/${globexDeploymentId}/openapi`, { key: acme.admin });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(res.text).not.toContain('billing');
  });

  it('serves the document to a viewer of the owning workspace', async () => {
    const res = await h.call('GET', `/v1/deployments/${globexDeploymentId}/openapi`, { key: globex.viewer });
    expect(res.status).toBe(200);
    expect(res.body.info.title).toBe('internal billing');
  });
});
