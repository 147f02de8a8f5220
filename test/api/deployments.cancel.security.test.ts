import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/deployments/:id/cancel (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexDeploymentId: string;
  let acmeDeploymentId: string;
  beforeAll(async () => {
    acmeDeploymentId = (await seedDeployment(h.db.prisma, { projectId: (await createProject(h, acme.admin, 'shop')).id, status: 'deploying' })).id;
    globexDeploymentId = (await seedDeployment(h.db.prisma, { projectId: (await createProject(h, globex.admin, 'secret')).id, status: 'deploying' })).id;
  });

  const cancelRequested = async (id: string) => (await h.db.prisma.deployment.findUniqueOrThrow({ where: { id } })).cancelRequestedAt;

  it('answers 401 without a key', async () => {
    expect((await h.call('POST', `/v1/deployments/${acmeDeploymentId}/cancel`)).status).toBe(401);
    expect(await cancelRequested(acmeDeploymentId)).toBeNull();
  });

  it('answers 403 to a viewer and to the root key', async () => {
    expect((await h.call('POST', `/v1/deployments/${acmeDeploymentId}/cancel`, { key: acme.viewer })).status).toBe(403);
    expect((await h.call('POST', `/v1/deployments/${acmeDeploymentId}/cancel`, { key: h.rootKey })).status).toBe(403);
    expect(await cancelRequested(acmeDeploymentId)).toBeNull();
  });

  it("answers 404 for another workspace's deployment and does not cancel it", async () => {
    const res = await h.call('POST', `/v1/deployments/${globexDeploymentId}/cancel`, { key: acme.admin });
    expect(res.status).toBe(404);
    expect(await cancelRequested(globexDeploymentId)).toBeNull();
  });

  it('lets a deployer of the workspace cancel', async () => {
    const res = await h.call('POST', `/v1/deployments/${acmeDeploymentId}/cancel`, { key: acme.deployer });
    expect(res.status).toBe(202);
    expect(await cancelRequested(acmeDeploymentId)).not.toBeNull();
  });
});
