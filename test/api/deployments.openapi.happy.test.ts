import { startApiHarnessWithEngine } from './support/api-harness';
import { createProject, deployOverHttp } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments/:id/openapi (happy path)', () => {
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarnessWithEngine() });
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
  });

  it("serves the document scraped from the deployment's instance", async () => {
    const { deploymentId } = await deployOverHttp(h, acme.deployer, { projectId: 'shop', version: '2.3.4' });
    const res = await h.call('GET', `/v1/deployments/${deploymentId}/openapi`, { key: acme.viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.info).toMatchObject({ title: 'hello-api', version: '2.3.4' });
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/', '/healthz']));
    const d = (await h.call('GET', `/v1/deployments/${deploymentId}`, { key: acme.viewer })).body;
    expect(d.hasOpenapi).toBe(true);
    expect(d.openapiFetchedAt).not.toBeNull();
  });
});
