import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments/:id/events (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexDeploymentId: string;
  beforeAll(async () => {
    globexDeploymentId = (await seedDeployment(h.db.prisma, { projectId: (await createProject(h, globex.admin, 'secret')).id, status: 'ready' })).id;
  });

  it('answers 401 without a key, before any stream starts', async () => {
    const res = await h.call('GET', `/v1/deployments/${globexDeploymentId}/events`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).not.toMatch(/event-stream/);
  });

  it('answers 403 to the root key', async () => {
    expect((await h.call('GET', `/v1/deployments/${globexDeploymentId}/events`, { key: h.rootKey })).status).toBe(403);
  });

  it("answers 404 for another workspace's deployment", async () => {
    const res = await h.call('GET', `/v1/deployments/${globexDeploymentId}/events`, { key: acme.admin });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('event:');
  });

  it('streams to a viewer of the owning workspace', async () => {
    const res = await h.call('GET', `/v1/deployments/${globexDeploymentId}/events`, { key: globex.viewer });
    expect(res.status).toBe(200);
    expect(res.text).toContain('event: status');
  });
});
