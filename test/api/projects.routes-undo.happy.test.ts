import type { EngineHarness } from '../support/engine-harness';
import { startProjectWithTwoDeploys } from './support/two-deploys';
import { ApiHarness, WorkspaceKeys } from './support/api-harness';
import { waitOverHttp } from './support/deployments';

describe('POST /v1/projects/:id/routes/undo (happy path)', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let acme: WorkspaceKeys;
  let projectId: string;
  let v1: string;
  let v2: string;
  beforeAll(async () => {
    ({ h, acme, projectId, v1, v2 } = await startProjectWithTwoDeploys());
  });
  afterAll(async () => h.close());

  const liveRoute = async () =>
    (await h.call('GET', '/v1/projects/shop/routes', { key: acme.viewer })).body.routes.find((r: { sticky: string }) => r.sticky === 'live').deploymentId;

  it("with ?wait reverts the last deploy's route change and answers 200", async () => {
    const res = await h.call('POST', `/v1/projects/${projectId}/routes/undo?wait=30`, { key: acme.deployer, body: { reason: 'v2 errors' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'undo', state: 'succeeded', reason: 'v2 errors', deploymentId: null });
    expect(res.body.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([['undo-routes', 'succeeded']]);
    expect((await h.call('GET', '/v1/projects/shop', { key: acme.viewer })).body.liveDeploymentId).toBe(v1);
    expect(await liveRoute()).toBe(v1);
  });

  it('accepts an undo without a body with 202; undoing the undo redoes it', async () => {
    const res = await h.call('POST', '/v1/projects/shop/routes/undo', { key: acme.admin });
    expect(res.status).toBe(202);
    // The state as the answer was written: the workers may already have taken the operation up.
    expect(res.body).toMatchObject({ operationId: expect.stringMatching(/^op_/), state: expect.stringMatching(/^(queued|running|succeeded)$/) });
    expect((await waitOverHttp(h, acme.admin, res.body.operationId)).state).toBe('succeeded');
    expect((await h.call('GET', '/v1/projects/shop', { key: acme.viewer })).body.liveDeploymentId).toBe(v2);
    expect(await liveRoute()).toBe(v2);
  });
});
