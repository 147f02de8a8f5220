import { eventually, getViaHost } from '../../support/http-get';
import type { EngineHarness } from '../../support/engine-harness';
import type { ApiHarness, WorkspaceKeys } from './api-harness';
import { createProject, deployOverHttp } from './deployments';

/**
 * The whole lifecycle of SPEC §3 driven only through the HTTP API (deploy, roll back, deploy while pinned, promote,
 * undo), checked through GET /v1/projects/:id and the gateway at every step. Shared by the test on one Redis and the
 * one on a Redis Cluster.
 */
export async function followThePinAtEveryStep(h: ApiHarness & { engine: EngineHarness }, acme: WorkspaceKeys): Promise<void> {
  const gateway = await h.engine.startGateway();
  const project = await createProject(h, acme.admin, 'shop');
  const key = acme.deployer;
  const getProject = async () => (await h.call('GET', `/v1/projects/${project.id}`, { key: acme.viewer })).body;
  const serves = (host: string, version: string) =>
    eventually(async () => {
      const r = await getViaHost(gateway.port, host);
      if (r.status !== 200 || r.json().version !== version) throw new Error(`${host}: ${r.status} ${r.body}`);
    });
  const live = 'shop-acme.deploy.localhost';

  const v1 = await deployOverHttp(h, key, { projectId: 'shop', version: 'v1' });
  const v2 = await deployOverHttp(h, key, { projectId: 'shop', version: 'v2' });
  expect([v1.operation.state, v2.operation.state]).toEqual(['succeeded', 'succeeded']);
  expect((await getProject()).liveDeploymentId).toBe(v2.deploymentId);
  await serves(live, 'v2');

  const rollback = await h.call('POST', `/v1/projects/shop/rollback/${v1.deploymentId}?wait=30`, {
    key,
    body: { expectedSourceDeploymentId: v2.deploymentId, reason: 'v2 breaks checkout' },
  });
  expect(rollback.status).toBe(200);
  expect(rollback.body).toMatchObject({ kind: 'rollback', state: 'succeeded', deploymentId: v1.deploymentId, reason: 'v2 breaks checkout', error: null });
  expect(rollback.body.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
    ['validate', 'succeeded'],
    ['check-instances', 'succeeded'],
    ['switch-routes', 'succeeded'],
  ]);
  const keyId = (await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'deployer' } })).id;
  expect(await getProject()).toMatchObject({
    liveDeploymentId: v1.deploymentId,
    isRolledBack: true,
    rollbackReason: 'v2 breaks checkout',
    rolledBackBy: keyId,
    rolledBackFromDeploymentId: v2.deploymentId,
  });
  await serves(live, 'v1');

  const v3 = await deployOverHttp(h, key, { projectId: 'shop', version: 'v3' });
  const v3View = (await h.call('GET', `/v1/deployments/${v3.deploymentId}`, { key })).body;
  expect(v3View).toMatchObject({ status: 'ready', isLive: false });
  expect(v3View.hostnames.map((r: { sticky: string }) => r.sticky).sort()).toEqual(['branch', 'deployment']);
  expect(await getProject()).toMatchObject({ liveDeploymentId: v1.deploymentId, isRolledBack: true });
  await serves(live, 'v1');

  const promote = await h.call('POST', `/v1/projects/${project.id}/promote/${v3.deploymentId}?wait=30`, { key, body: { reason: 'v3 fixes checkout' } });
  expect(promote.status).toBe(200);
  expect(promote.body).toMatchObject({ kind: 'promote', state: 'succeeded' });
  expect(await getProject()).toMatchObject({ liveDeploymentId: v3.deploymentId, isRolledBack: false, rollbackReason: null });
  await serves(live, 'v3');

  const undo = await h.call('POST', '/v1/projects/shop/routes/undo?wait=30', { key, body: { reason: 'v3 is slow' } });
  expect(undo.status).toBe(200);
  expect(undo.body).toMatchObject({ kind: 'undo', state: 'succeeded', reason: 'v3 is slow' });
  expect(await getProject()).toMatchObject({ liveDeploymentId: v1.deploymentId, isRolledBack: true, rollbackReason: 'v2 breaks checkout' });
  await serves(live, 'v1');

  const routes = (await h.call('GET', '/v1/projects/shop/routes', { key: acme.viewer })).body;
  expect(routes).toMatchObject({ liveDeploymentId: v1.deploymentId, pin: { isRolledBack: true, reason: 'v2 breaks checkout', fromDeploymentId: v2.deploymentId } });
  expect(routes.routes.find((r: { hostname: string }) => r.hostname === live)).toMatchObject({ deploymentId: v1.deploymentId, sticky: 'live', environment: 'production' });

  const history = (await h.call('GET', '/v1/projects/shop/route-changes', { key: acme.viewer })).body.data;
  expect(history.map((c: { operationKind: string }) => c.operationKind)).toEqual(['undo', 'promote', 'deploy', 'rollback', 'deploy', 'deploy']);
  expect(history[0]).toMatchObject({ liveFrom: v3.deploymentId, liveTo: v1.deploymentId });
}
