import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments/:id/openapi (no document)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  it('answers 404 openapi_not_found for a ready deployment whose app served none, saying what the scrape found', async () => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'ready' });
    await h.db.prisma.deploymentStep.create({
      data: { id: `stp_${d.id.slice(4)}`, ownerId: d.id, name: 'scrape-openapi', position: 4, status: 'succeeded', output: 'no spec: 127.0.0.1:5000 answered 404' },
    });
    const res = await h.call('GET', `/v1/deployments/${d.id}/openapi`, { key: acme.viewer });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('openapi_not_found');
    expect(res.body.error.message).toContain('/openapi.json');
    expect(res.body.error.message).toContain('answered 404');
  });

  it('answers 404 openapi_not_found for a deployment not scraped yet', async () => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'deploying' });
    const res = await h.call('GET', `/v1/deployments/${d.id}/openapi`, { key: acme.viewer });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('openapi_not_found');
    expect(res.body.error.message).toMatch(/not scraped/);
  });

  it('answers 404 not_found for a deployment that does not exist', async () => {
    const res = await h.call('GET', '/v1/deployments/dep_00000000000000000000000000/openapi', { key: acme.viewer });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
