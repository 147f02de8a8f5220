import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments/:id (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexDeploymentId: string;
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
    const secret = await createProject(h, globex.admin, 'secret');
    globexDeploymentId = (await seedDeployment(h.db.prisma, { projectId: secret.id, env: { STRIPE_KEY: 'sk_live_secret' } })).id;
  });

  it('answers 401 without a key', async () => {
    expect((await h.call('GET', `/v1/deployments/${globexDeploymentId}`)).status).toBe(401);
  });

  it('answers 403 to the root key', async () => {
    expect((await h.call('GET', `/v1/deployments/${globexDeploymentId}`, { key: h.rootKey })).status).toBe(403);
  });

  it("answers another workspace's deployment with the same 404 as a missing one", async () => {
    const other = await h.call('GET', `/v1/deployments/${globexDeploymentId}`, { key: acme.admin });
    const missing = await h.call('GET', '/v1/deployments/dep_00000000000000000000000000', { key: acme.admin });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.body.error.code).toBe(missing.body.error.code);
    expect(other.text).not.toContain('secret');
  });

  it('never returns environment variable values, even to an admin of the workspace', async () => {
    const res = await h.call('GET', `/v1/deployments/${globexDeploymentId}`, { key: globex.admin });
    expect(res.status).toBe(200);
    expect(res.body.runtime.envNames).toEqual(['STRIPE_KEY']);
    expect(res.text).not.toContain('sk_live_secret');
  });
});
