import { eventually } from '../support/http-get';
import { startApiHarnessWithEngine } from './support/api-harness';
import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/deployments/:id/cancel (happy path)', () => {
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarnessWithEngine() });
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
  });

  /** A deploy whose instance stays unhealthy, so the flow sits in poll-instances until cancelled. */
  const slowDeploy = async () => {
    const res = await h.call('POST', '/v1/deployments', {
      key: acme.deployer,
      body: { projectId: 'shop', image: 'file:examples/hello-api', runtime: { env: { FAIL_HEALTH: '1' } } },
    });
    expect(res.status).toBe(202);
    const { deploymentId, operationId } = res.body;
    await eventually(async () => {
      const d = (await h.call('GET', `/v1/deployments/${deploymentId}`, { key: acme.viewer })).body;
      if (d.status !== 'deploying' || d.instances.length === 0) throw new Error(`still ${d.status}`);
    });
    return { deploymentId: deploymentId as string, operationId: operationId as string };
  };

  it('cancels a deploy that is polling, and with ?wait answers 200 once the flow stopped and Krane was cleaned up', async () => {
    const { deploymentId, operationId } = await slowDeploy();
    const res = await h.call('POST', `/v1/deployments/${deploymentId}/cancel?wait=30`, { key: acme.deployer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deploymentId, operationId, alreadyRequested: false, status: 'cancelled' });
    expect(Date.parse(res.body.cancelRequestedAt)).not.toBeNaN();
    expect(res.body.operation).toMatchObject({ id: operationId, kind: 'deploy', state: 'cancelled' });
    const steps = Object.fromEntries(res.body.operation.steps.map((s: { name: string; status: string }) => [s.name, s.status]));
    expect(steps['fetch-metadata']).toBe('succeeded');
    expect(steps['assign-routes']).toBe('cancelled');
    expect(steps['update-live']).toBe('cancelled');

    const d = (await h.call('GET', `/v1/deployments/${deploymentId}`, { key: acme.viewer })).body;
    expect(d).toMatchObject({ status: 'cancelled', cancelRequestedAt: res.body.cancelRequestedAt, hostnames: [] });
    await eventually(async () => {
      if ((await h.engine.krane.client.get('acme', deploymentId)).length > 0) throw new Error('Krane deployment still there');
    });
  });

  it('answers 202 without waiting, and a repeated cancel changes nothing', async () => {
    const { deploymentId } = await slowDeploy();
    const first = await h.call('POST', `/v1/deployments/${deploymentId}/cancel`, { key: acme.admin });
    expect(first.status).toBe(202);
    expect(first.body.alreadyRequested).toBe(false);
    expect(first.body.operation).toBeUndefined();
    const second = await h.call('POST', `/v1/deployments/${deploymentId}/cancel`, { key: acme.deployer });
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ alreadyRequested: true, cancelRequestedAt: first.body.cancelRequestedAt });
    const op = (await h.call('GET', `/v1/operations/${first.body.operationId}?wait=30`, { key: acme.viewer })).body;
    expect(op.state).toBe('cancelled');
  });

  it('answers a cancel repeated after the flow stopped as the repeat it is, not with a conflict', async () => {
    const { deploymentId, operationId } = await slowDeploy();
    const first = await h.call('POST', `/v1/deployments/${deploymentId}/cancel?wait=30`, { key: acme.deployer });
    expect(first.status).toBe(200);
    expect(first.body.operation).toMatchObject({ id: operationId, state: 'cancelled' });
    // The compensation (deleting the Krane deployment) is a job of its own that may end after the answer: the row is
    // compared once it has.
    await eventually(async () => {
      if (!(await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).compensatedAt) throw new Error('not compensated yet');
    });
    const before = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(before.status).toBe('cancelled');

    const again = await h.call('POST', `/v1/deployments/${deploymentId}/cancel`, { key: acme.admin });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ deploymentId, operationId, alreadyRequested: true, cancelRequestedAt: first.body.cancelRequestedAt, status: 'cancelled' });
    const waited = await h.call('POST', `/v1/deployments/${deploymentId}/cancel?wait=5`, { key: acme.admin });
    expect(waited.status).toBe(200);
    expect(waited.body).toMatchObject({ alreadyRequested: true, operation: { id: operationId, state: 'cancelled' } });
    expect(await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).toEqual(before);
  });
});
