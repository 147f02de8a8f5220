import type { EngineHarness } from '../support/engine-harness';
import { startProjectWithTwoDeploys } from './support/two-deploys';
import { ApiHarness, WorkspaceKeys } from './support/api-harness';
import { waitOverHttp } from './support/deployments';

describe('POST /v1/projects/:id/rollback/:deploymentId (happy path)', () => {
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

  it('accepts a rollback without a body with 202, and the operation pins the project to the target', async () => {
    const res = await h.call('POST', `/v1/projects/shop/rollback/${v1}`, { key: acme.admin });
    expect(res.status).toBe(202);
    // The state as the answer was written: the workers may already have taken the operation up.
    expect(res.body).toEqual({ operationId: expect.stringMatching(/^op_/), state: expect.stringMatching(/^(queued|running|succeeded)$/), links: { operation: `/v1/operations/${res.body.operationId}` } });
    const op = await waitOverHttp(h, acme.admin, res.body.operationId);
    expect(op).toMatchObject({ kind: 'rollback', state: 'succeeded', deploymentId: v1, projectId, reason: null });
    expect(op.result).toMatchObject({ liveDeploymentId: v1, pinned: true });
    const adminKeyId = (await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'admin' } })).id;
    expect(await project()).toMatchObject({ liveDeploymentId: v1, isRolledBack: true, rolledBackBy: adminKeyId, rollbackReason: null, rolledBackFromDeploymentId: v2 });
  });

  it('with ?wait answers 200 with the finished operation and its three steps', async () => {
    const res = await h.call('POST', `/v1/projects/${projectId}/rollback/${v2}?wait=30`, {
      key: acme.deployer,
      body: { expectedSourceDeploymentId: v1, reason: 'back to v2' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'rollback', state: 'succeeded', deploymentId: v2, sourceDeploymentId: v1, reason: 'back to v2', error: null });
    expect(res.body.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['validate', 'succeeded'],
      ['check-instances', 'succeeded'],
      ['switch-routes', 'succeeded'],
    ]);
    expect(await project()).toMatchObject({ liveDeploymentId: v2, isRolledBack: true, rollbackReason: 'back to v2', rolledBackFromDeploymentId: v1 });
  });

  it('starts one operation for a repeated Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'rollback-once' };
    const first = await h.call('POST', `/v1/projects/shop/rollback/${v1}`, { key: acme.deployer, headers, body: { reason: 'again' } });
    const second = await h.call('POST', `/v1/projects/shop/rollback/${v1}`, { key: acme.deployer, headers, body: { reason: 'again' } });
    expect(first.status).toBe(202);
    expect(second.body.operationId).toBe(first.body.operationId);
    expect(await h.db.prisma.operation.count({ where: { kind: 'rollback', reason: 'again' } })).toBe(1);
    expect((await waitOverHttp(h, acme.deployer, first.body.operationId)).state).toBe('succeeded');
  });
});
