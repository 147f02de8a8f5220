import { ApiHarness, startApiHarness, WorkspaceKeys } from './support/api-harness';
import { createProject, seedDeployment } from './support/deployments';

describe('GET /v1/deployments/:id (bad input)', () => {
  let h: ApiHarness;
  let acme: WorkspaceKeys;
  let projectId: string;
  beforeAll(async () => {
    h = await startApiHarness();
    acme = await h.workspace('acme');
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });
  afterAll(async () => h.close());

  it('answers 404 for a deployment that does not exist', async () => {
    const res = await h.call('GET', '/v1/deployments/dep_00000000000000000000000000', { key: acme.viewer });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it.each(['%00', '..%2F..%2Fetc%2Fpasswd', "dep_'%20OR%201=1--", 'x'.repeat(300), '%F0%9F%9A%80'])('answers a 4xx for the id %s', async (id) => {
    const res = await h.call('GET', `/v1/deployments/${id}`, { key: acme.viewer });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(typeof res.body.error.code).toBe('string');
  });

  it('shows a failed deployment with its reason and failed step, and a pending one with no steps yet', async () => {
    const failed = await seedDeployment(h.db.prisma, { projectId, status: 'failed' });
    await h.db.prisma.deployment.update({ where: { id: failed.id }, data: { failedStep: 'poll-instances', statusReason: 'poll-instances: 0 of 1 instances running' } });
    const res = await h.call('GET', `/v1/deployments/${failed.id}`, { key: acme.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', failedStep: 'poll-instances', statusReason: 'poll-instances: 0 of 1 instances running', isLive: false, hostnames: [] });

    const pending = await seedDeployment(h.db.prisma, { projectId, status: 'pending' });
    const p = await h.call('GET', `/v1/deployments/${pending.id}`, { key: acme.viewer });
    expect(p.body).toMatchObject({ status: 'pending', steps: [], instances: [], hostnames: [], hasOpenapi: false });
  });
});
