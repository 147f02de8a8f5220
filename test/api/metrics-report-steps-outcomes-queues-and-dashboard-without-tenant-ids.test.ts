import { DEPLOY_STEPS, ROUTING_STEPS } from '../../flows/step-names';
import { DASHBOARD_ROUTE } from '../../src/api/metrics';
import type { EngineHarness } from '../support/engine-harness';
import { eventually } from '../support/http-get';
import { parseSamples, Sample, samplesOf, valueOf } from '../support/prometheus-text';
import { ApiHarness, startApiHarnessWithEngine, WorkspaceKeys } from './support/api-harness';
import { basicAuth } from './support/basic-auth';
import { createProject, waitOverHttp } from './support/deployments';

describe('GET /metrics after a deploy', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let acme: WorkspaceKeys;
  let project: { id: string; slug: string };
  let deploymentId: string;
  let operationId: string;
  let samples: Sample[];
  let text: string;

  beforeAll(async () => {
    h = await startApiHarnessWithEngine();
    acme = await h.workspace('acme');
    project = await createProject(h, acme.admin, 'shop');
    const res = await h.call('POST', '/v1/deployments', { key: acme.deployer, body: { projectId: 'shop', image: 'file:examples/hello-api' } });
    expect(res.status).toBe(202);
    ({ deploymentId, operationId } = res.body);
    expect((await waitOverHttp(h, acme.deployer, operationId)).state).toBe('succeeded');
    // The dashboard: a page, its API, and a request without a key.
    expect((await h.call('GET', '/admin/queues', { headers: basicAuth(h.rootKey) })).status).toBe(200);
    expect((await h.call('GET', '/admin/queues/api/queues', { headers: basicAuth(h.rootKey) })).status).toBe(200);
    expect((await h.call('GET', '/admin/queues/api/queues')).status).toBe(401);
    // The outcome is counted right after the operation row's final write, which the wait above saw: scrape once it is.
    const scrape = await eventually(async () => {
      const res = await h.call('GET', '/metrics');
      if (!res.text.includes('deployflow_operations_total{')) throw new Error('the deploy is not counted yet');
      return res;
    });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    text = scrape.text;
    samples = parseSamples(text);
  }, 120_000);
  afterAll(async () => h?.close());

  it("has a step duration histogram for every step of the deploy, on the step's queue", () => {
    for (const step of DEPLOY_STEPS) {
      const queue = ROUTING_STEPS.has(step) ? 'routing' : 'steps';
      expect({ step, count: valueOf(samples, 'deployflow_step_duration_seconds_count', { kind: 'deploy', step, queue, result: 'succeeded' }) }).toEqual({ step, count: 1 });
      expect(samplesOf(samples, 'deployflow_step_duration_seconds_bucket', { kind: 'deploy', step, le: '+Inf' })).toHaveLength(1);
    }
    // Only the deploy's steps: nothing else ran.
    const steps = new Set(samplesOf(samples, 'deployflow_step_duration_seconds_count').map((s) => s.labels.step));
    expect([...steps].sort()).toEqual([...DEPLOY_STEPS].sort());
  });

  it('counts the succeeded deploy once by kind and result, with its duration', () => {
    expect(valueOf(samples, 'deployflow_operations_total', { kind: 'deploy', result: 'succeeded' })).toBe(1);
    expect(samplesOf(samples, 'deployflow_operations_total').filter((s) => s.value > 0)).toHaveLength(1);
    expect(valueOf(samples, 'deployflow_operation_duration_seconds_count', { kind: 'deploy', result: 'succeeded' })).toBe(1);
    expect(valueOf(samples, 'deployflow_operation_duration_seconds_sum', { kind: 'deploy', result: 'succeeded' })).toBeGreaterThan(0);
  });

  it("records how long the deploy's routing step waited for its project's turn", () => {
    expect(valueOf(samples, 'deployflow_routing_turn_wait_seconds_count', { kind: 'deploy' })).toBe(1);
  });

  it('reports the depth of every queue by state, read from BullMQ', () => {
    const queues = h.ctx.operations.queues().map((q) => q.name);
    expect(queues.length).toBeGreaterThanOrEqual(3);
    for (const queue of queues) {
      for (const state of ['waiting', 'active', 'delayed', 'waiting-children', 'failed', 'completed']) {
        expect({ queue, state, present: valueOf(samples, 'deployflow_queue_jobs', { queue, state }) !== undefined }).toEqual({ queue, state, present: true });
      }
    }
    // The deploy's root job and its nine steps are kept as completed jobs.
    expect(valueOf(samples, 'deployflow_queue_jobs', { queue: 'operations', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'deployflow_queue_jobs', { queue: 'steps', state: 'completed' })).toBeGreaterThanOrEqual(DEPLOY_STEPS.length - ROUTING_STEPS.size);
  });

  it("has the process's default metrics", () => {
    expect(samplesOf(samples, 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(samplesOf(samples, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(valueOf(samples, 'deployflow_process_uptime_seconds')).toBeGreaterThan(0);
  });

  it('labels API requests by route pattern and dashboard requests as the dashboard, never as unmatched', () => {
    expect(valueOf(samples, 'deployflow_http_requests_total', { method: 'POST', route: '/v1/deployments', status: '202' })).toBe(1);
    expect(samplesOf(samples, 'deployflow_http_requests_total', { route: '/v1/operations/:id' }).length).toBeGreaterThan(0);
    expect(valueOf(samples, 'deployflow_http_requests_total', { method: 'GET', route: DASHBOARD_ROUTE, status: '200' })).toBe(2);
    expect(valueOf(samples, 'deployflow_http_requests_total', { method: 'GET', route: DASHBOARD_ROUTE, status: '401' })).toBe(1);
    expect(samplesOf(samples, 'deployflow_http_request_duration_seconds_count', { route: DASHBOARD_ROUTE })).toHaveLength(1);
    expect(samplesOf(samples, 'deployflow_http_requests_total', { route: 'unmatched' })).toEqual([]);
  });

  it('never has a workspace, project, deployment or operation id, slug or hostname as a label value', async () => {
    const routes = await h.db.prisma.ingressRoute.findMany({ where: { deploymentId }, select: { hostname: true } });
    expect(routes.length).toBeGreaterThan(0);
    const tenant = [acme.workspaceId, acme.slug, project.id, project.slug, deploymentId, operationId, ...routes.map((r) => r.hostname)];
    const values = new Set(samples.flatMap((s) => Object.values(s.labels)));
    expect(tenant.filter((id) => values.has(id))).toEqual([]);
    // Nor anywhere else in the text (a label value with an id inside it, a path).
    for (const id of [acme.workspaceId, project.id, deploymentId, operationId, ...routes.map((r) => r.hostname)]) expect(text).not.toContain(id);
  });
});
