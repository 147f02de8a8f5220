import { createApiKey } from '../../src/auth/api-key';
import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

/** The operation layer's key is per workspace (the HTTP record is per API key): a reused key must not hand back another request's operation. */
describe('an Idempotency-Key reused across API keys of one workspace', () => {
  const { h, acme } = useApiHarness(['acme']);
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
  });

  const deploy = (key: string, image: string) =>
    h.call('POST', '/v1/deployments', { key, headers: { 'idempotency-key': 'release-42' }, body: { projectId: 'shop', image } });

  it('gives the same request the same operation, and refuses a different request with 422', async () => {
    // Each API key below is used once, so the HTTP layer's record (per API key) never answers: the operation layer does.
    const first = await deploy(acme.admin, 'file:examples/hello-api');
    expect(first.status).toBe(202);
    const different = await deploy(acme.deployer, 'registry.example/other:2');
    expect(different.status).toBe(422);
    expect(different.body.error.code).toBe('idempotency_key_reused');
    expect(different.headers.get('idempotent-replayed')).toBeNull();

    const another = (await createApiKey(h.db.prisma, { workspaceId: acme.workspaceId, role: 'deployer' })).key;
    const same = await deploy(another, 'file:examples/hello-api');
    expect(same.status).toBe(202);
    expect(same.body.operationId).toBe(first.body.operationId);
    expect(await h.db.prisma.deployment.count()).toBe(1);
  });
});
