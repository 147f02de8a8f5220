import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments/:id/openapi (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexDeploymentId: string;
  beforeAll(async () => {
    const secret = await createProject(h, globex.admin, 'secret');
    const spec = JSON.stringify({ openapi: '3.1.0', info: { title: 'internal billing', version: '1' }, paths: {} });
    globexDeploymentId = (await seedDeployment(h.db.prisma, { projectId: secret.id, openapiSpec: spec })).id;
  });

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
