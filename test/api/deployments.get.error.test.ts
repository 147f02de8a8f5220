import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments/:id (bad input)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

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
