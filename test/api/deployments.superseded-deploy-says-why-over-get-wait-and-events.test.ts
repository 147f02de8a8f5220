import type { EngineHarness } from '../support/engine-harness';
import { ApiHarness, startApiHarnessWithEngine, WorkspaceKeys } from './support/api-harness';
import { createProject, waitOverHttp } from './support/deployments';
import { parseSse } from './support/sse';

describe('a production deploy superseded by a newer one of its branch, over HTTP', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let acme: WorkspaceKeys;
  beforeAll(async () => {
    h = await startApiHarnessWithEngine();
    acme = await h.workspace('acme');
    await createProject(h, acme.admin, 'shop');
  });
  afterAll(async () => h.close());

  it('GET shows status superseded with the newer deployment and why, ?wait returns it, the event stream ends on it', async () => {
    const deploy = (env: Record<string, string>) =>
      h.call('POST', '/v1/deployments', { key: acme.deployer, body: { projectId: 'shop', image: 'file:examples/hello-api', git: { branch: 'main' }, runtime: { env } } });
    // The older one is still polling (slow health) when the newer one, healthy at once, reaches routing.
    const older = (await deploy({ HEALTHY_AFTER_MS: '8000' })).body;
    const newer = (await deploy({})).body;

    const op = await waitOverHttp(h, acme.viewer, older.operationId);
    expect(op).toMatchObject({ state: 'superseded', error: { code: 'superseded' } });
    expect(op.error.message).toContain(`was superseded by deployment ${newer.deploymentId}`);
    expect((await waitOverHttp(h, acme.viewer, newer.operationId)).state).toBe('succeeded');

    const d = (await h.call('GET', `/v1/deployments/${older.deploymentId}`, { key: acme.viewer })).body;
    expect(d).toMatchObject({ status: 'superseded', supersededBy: newer.deploymentId, failedStep: null, isLive: false, hostnames: [] });
    expect(d.statusReason).toContain(`superseded by deployment ${newer.deploymentId}`);
    const notRun = d.steps.filter((s: { name: string }) => ['assign-routes', 'set-ready', 'update-live'].includes(s.name));
    expect(notRun).toHaveLength(3);
    for (const s of notRun) expect(s).toMatchObject({ status: 'cancelled', error: expect.stringContaining(newer.deploymentId) });
    expect((await h.call('GET', `/v1/deployments/${newer.deploymentId}`, { key: acme.viewer })).body).toMatchObject({ status: 'ready', supersededBy: null, isLive: true });

    const events = parseSse((await h.call('GET', `/v1/deployments/${older.deploymentId}/events`, { key: acme.viewer })).text);
    expect(events[events.length - 1]).toMatchObject({ event: 'status', data: { status: 'superseded', terminal: true } });
    expect(events[events.length - 1].data.statusReason).toContain(newer.deploymentId);
  });
});
