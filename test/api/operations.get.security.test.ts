import { createProject, seedOperation } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/operations/:id (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let globexOperationId: string;
  beforeAll(async () => {
    const secret = await createProject(h, globex.admin, 'secret');
    globexOperationId = (await seedOperation(h.db.prisma, { projectId: secret.id, kind: 'rollback', state: 'failed', errorMessage: 'globex internal detail' })).id;
  });

  it('answers 401 without a key and 403 to the root key', async () => {
    expect((await h.call('GET', `/v1/operations/${globexOperationId}`)).status).toBe(401);
    expect((await h.call('GET', `/v1/operations/${globexOperationId}`, { key: h.rootKey })).status).toBe(403);
  });

  it("answers 404 for another workspace's operation, with or without waiting, revealing nothing", async () => {
    for (const query of ['', '?wait=1']) {
      const res = await h.call('GET', `/v1/operations/${globexOperationId}${query}`, { key: acme.admin });
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('globex internal detail');
    }
  });

  it('shows the operation to every role of the owning workspace', async () => {
    for (const key of [globex.admin, globex.deployer, globex.viewer]) {
      expect((await h.call('GET', `/v1/operations/${globexOperationId}`, { key })).status).toBe(200);
    }
  });
});
