import type { EngineHarness } from '../support/engine-harness';
import { startProjectWithTwoDeploys } from './support/two-deploys';
import { ApiHarness, WorkspaceKeys } from './support/api-harness';
import { waitOverHttp } from './support/deployments';

describe('POST /v1/projects/:id/promote/:deploymentId (happy path)', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let acme: WorkspaceKeys;
  let projectId: string;
  let v1: string;
  let v2: string;
  beforeAll(async () => {
    ({ h, acme, projectId, v1, v2 } = await startProjectWithTwoDeploys());
  });
  afterAll(async () => h.close());

  const project = async () => (await h.call('GET', `/v1/projects/${projectId}`, { key: acme.viewer })).body;
  const rollbackTo = async (target: string) => {
    const res = await h.call('POST', `/v1/projects/shop/rollback/${target}?wait=30`, { key: acme.deployer, body: { reason: 'incident' } });
    expect(res.status).toBe(200);
  };

  it('accepts a promote with 202, and the operation makes the target live and clears the pin', async () => {
    await rollbackTo(v1);
    const res = await h.call('POST', `/v1/projects/shop/promote/${v2}`, { key: acme.deployer, body: { reason: 'fixed' } });
    expect(res.status).toBe(202);
    expect(res.body.links.operation).toBe(`/v1/operations/${res.body.operationId}`);
    const op = await waitOverHttp(h, acme.deployer, res.body.operationId);
    expect(op).toMatchObject({ kind: 'promote', state: 'succeeded', deploymentId: v2, reason: 'fixed' });
    expect(await project()).toMatchObject({ liveDeploymentId: v2, isRolledBack: false, rollbackReason: null, rolledBackBy: null, rolledBackFromDeploymentId: null });
    const live = (await h.call('GET', '/v1/projects/shop/routes', { key: acme.viewer })).body.routes.find((r: { sticky: string }) => r.sticky === 'live');
    expect(live.deploymentId).toBe(v2);
  });

  it('confirms the live deployment of a pinned project: clears the pin, moves nothing (200 with ?wait)', async () => {
    await rollbackTo(v1);
    const res = await h.call('POST', `/v1/projects/${projectId}/promote/${v1}?wait=30`, { key: acme.admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'promote', state: 'succeeded', error: null });
    expect(await project()).toMatchObject({ liveDeploymentId: v1, isRolledBack: false });
    // The confirm is recorded as a change of the pin alone: no hostname moved.
    const [latest] = (await h.call('GET', '/v1/projects/shop/route-changes?limit=1', { key: acme.viewer })).body.data;
    expect(latest).toMatchObject({ operationId: res.body.id, operationKind: 'promote', changes: [], liveFrom: v1, liveTo: v1 });
    expect(latest.notes.join(' ')).toMatch(/confirmed/);
  });
});
