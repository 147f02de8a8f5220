import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('Location on every 201 and 202', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  /** The Location resolves, with the same key, to a resource whose id is `id`. */
  const followsTo = async (location: string | null, key: string, id: string) => {
    expect(location).toMatch(/^\/v1\//);
    const res = await h.call('GET', location!, { key });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
  };

  it('201 POST /v1/workspaces points at the workspace', async () => {
    const res = await h.call('POST', '/v1/workspaces', { key: h.rootKey, body: { slug: 'globex', name: 'Globex' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/workspaces/${res.body.workspace.id}`);
    await followsTo(res.headers.get('location'), h.rootKey, res.body.workspace.id);
    await followsTo(res.headers.get('location'), res.body.apiKey.key, res.body.workspace.id);
  });

  it('201 POST /v1/projects points at the project', async () => {
    const res = await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'blog', name: 'Blog' } });
    expect(res.status).toBe(201);
    await followsTo(res.headers.get('location'), acme.viewer, res.body.id);
  });

  it('201 POST /v1/keys points at the key', async () => {
    const res = await h.call('POST', '/v1/keys', { key: acme.admin, body: { name: 'ci', role: 'deployer' } });
    await followsTo(res.headers.get('location'), acme.admin, res.body.id);
  });

  it('202 POST /v1/deployments points at the operation to watch', async () => {
    const res = await h.call('POST', '/v1/deployments', { key: acme.deployer, body: { projectId: 'shop', image: 'file:examples/hello-api' } });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(res.body.links.operation);
    await followsTo(res.headers.get('location'), acme.viewer, res.body.operationId);

    const cancel = await h.call('POST', `/v1/deployments/${res.body.deploymentId}/cancel`, { key: acme.deployer });
    expect(cancel.status).toBe(202);
    await followsTo(cancel.headers.get('location'), acme.viewer, res.body.operationId);
  });

  it('202 rollback, promote and undo point at their operation, and a replay repeats it', async () => {
    const older = await seedDeployment(h.db.prisma, { projectId, status: 'ready' });
    const live = await seedDeployment(h.db.prisma, { projectId, status: 'ready', live: true });
    const rollback = await h.call('POST', `/v1/projects/shop/rollback/${older.id}`, { key: acme.deployer, headers: { 'idempotency-key': 'rb-1' } });
    expect(rollback.status).toBe(202);
    await followsTo(rollback.headers.get('location'), acme.viewer, rollback.body.operationId);
    const replay = await h.call('POST', `/v1/projects/shop/rollback/${older.id}`, { key: acme.deployer, headers: { 'idempotency-key': 'rb-1' } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(rollback.headers.get('location'));

    await h.db.prisma.project.update({ where: { id: projectId }, data: { liveDeploymentId: older.id } });
    const promote = await h.call('POST', `/v1/projects/shop/promote/${live.id}`, { key: acme.deployer });
    expect(promote.status).toBe(202);
    await followsTo(promote.headers.get('location'), acme.viewer, promote.body.operationId);

    const undo = await h.call('POST', '/v1/projects/shop/routes/undo', { key: acme.deployer });
    expect(undo.status).toBe(202);
    await followsTo(undo.headers.get('location'), acme.viewer, undo.body.operationId);
  });
});
