import { DEPLOY_STEPS } from '../../flows/step-names';
import type { EngineHarness } from '../support/engine-harness';
import { ApiHarness, startApiHarnessWithEngine, WorkspaceKeys } from './support/api-harness';
import { createProject, deployOverHttp } from './support/deployments';
import { parseSse, SseEvent } from './support/sse';

describe('GET /v1/deployments/:id/events (happy path)', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let acme: WorkspaceKeys;
  beforeAll(async () => {
    // A short poll deadline so the deploy that never gets healthy fails quickly.
    h = await startApiHarnessWithEngine({ settings: { pollDeadlineMs: 4_000 } });
    acme = await h.workspace('acme');
    await createProject(h, acme.admin, 'shop');
  });
  afterAll(async () => h.close());

  /** The last state each step was reported in. */
  const finalSteps = (events: SseEvent[]) => {
    const last = new Map<string, string>();
    for (const e of events) if (e.event === 'step') last.set(e.data.name, e.data.status);
    return [...last.entries()];
  };

  it('streams the steps of a running deploy as they change, then the final status, and closes', async () => {
    const created = await h.call('POST', '/v1/deployments', {
      key: acme.deployer,
      body: { projectId: 'shop', image: 'file:examples/hello-api', runtime: { env: { VERSION: 'live' } } },
    });
    const res = await h.call('GET', `/v1/deployments/${created.body.deploymentId}/events`, { key: acme.viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(res.text);

    const last = events[events.length - 1];
    expect(last).toMatchObject({ event: 'status', data: { status: 'ready', terminal: true, failedStep: null } });
    expect(events.filter((e) => e.event === 'status' && e.data.terminal)).toHaveLength(1);
    expect(finalSteps(events)).toEqual(DEPLOY_STEPS.map((name) => [name, 'succeeded']));
    // Each step was seen changing, not only in its final state: at least one earlier report per step.
    expect(events.filter((e) => e.event === 'step').length).toBeGreaterThan(DEPLOY_STEPS.length);
    // Non-terminal statuses arrive in flow order.
    const order = ['pending', 'building', 'deploying', 'network'];
    const seen = events.filter((e) => e.event === 'status' && !e.data.terminal).map((e) => order.indexOf(e.data.status));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_e, i) => i + 1));
  });

  it('answers a finished deployment at once with its whole history, the same ids and events on every connection', async () => {
    const { deploymentId } = await deployOverHttp(h, acme.deployer, { projectId: 'shop', version: 'done' });
    const first = parseSse((await h.call('GET', `/v1/deployments/${deploymentId}/events`, { key: acme.viewer })).text);
    const again = parseSse((await h.call('GET', `/v1/deployments/${deploymentId}/events`, { key: acme.viewer })).text);
    expect(again).toEqual(first);
    expect(first.map((e) => Number(e.id))).toEqual(first.map((_e, i) => i + 1));
    // The history starts with the deployment as created and its planned steps, and ends with the terminal status.
    expect(first[0]).toMatchObject({ event: 'status', data: { status: 'pending', terminal: false } });
    expect(first.slice(1, 1 + DEPLOY_STEPS.length).map((e) => [e.event, e.data.name, e.data.status])).toEqual(DEPLOY_STEPS.map((name) => ['step', name, 'pending']));
    expect(finalSteps(first)).toEqual(DEPLOY_STEPS.map((name) => [name, 'succeeded']));
    expect(first.filter((e) => e.event === 'status' && e.data.terminal)).toHaveLength(1);
    expect(first[first.length - 1].data).toEqual({ status: 'ready', statusReason: null, failedStep: null, terminal: true });
    // Each step's last event is the step exactly as GET /v1/deployments/{id} shows it, field order included.
    const { steps } = (await h.call('GET', `/v1/deployments/${deploymentId}`, { key: acme.viewer })).body;
    const lastEvents = DEPLOY_STEPS.map((name) => first.filter((e) => e.event === 'step' && e.data.name === name).at(-1)!.data);
    expect(lastEvents.map((d) => JSON.stringify(d))).toEqual(steps.map((s: object) => JSON.stringify(s)));
  });

  it('ends with status failed, naming the failed step, for a deploy that fails', async () => {
    const created = await h.call('POST', '/v1/deployments', {
      key: acme.deployer,
      body: { projectId: 'shop', image: 'file:examples/hello-api', runtime: { env: { FAIL_HEALTH: '1' } } },
    });
    const res = await h.call('GET', `/v1/deployments/${created.body.deploymentId}/events`, { key: acme.viewer });
    const events = parseSse(res.text);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ event: 'status', data: { status: 'failed', terminal: true } });
    expect(typeof last.data.failedStep).toBe('string');
    const failed = finalSteps(events).find(([name]) => name === last.data.failedStep);
    expect(failed).toEqual([last.data.failedStep, 'failed']);
  });
});
