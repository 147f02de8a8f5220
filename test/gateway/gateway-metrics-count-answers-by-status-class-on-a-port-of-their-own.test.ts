import { GatewayFleet, startGatewayProcesses } from '../../src/gateway';
import { parseSamples, Sample, samplesOf, valueOf } from '../support/prometheus-text';
import { openRoutingWorld, RoutingWorld, send, startUpstream, Upstream } from './gateway-fixture';

const OK = 'ok.deploy.localhost';
const BROKEN = 'broken.deploy.localhost';
const IDLE = 'idle.deploy.localhost';
const NO_PERIODIC_RESYNC = 3_600_000;

async function scrape(port: number): Promise<{ status: number; samples: Sample[]; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  return { status: res.status, samples: res.status === 200 ? parseSamples(text) : [], text };
}

/** Label values that are the tenants': the hostnames and the deployment ids of this world. */
const TENANT_VALUES = [OK, BROKEN, IDLE, 'ok', 'broken', 'idle'];

describe("gateway metrics on the gateway's own metrics port", () => {
  let world: RoutingWorld;
  let ok: Upstream;
  let broken: Upstream;
  beforeAll(async () => {
    world = await openRoutingWorld();
    ok = await startUpstream('ok');
    broken = await startUpstream('broken', (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('down for maintenance');
    });
    await world.addDeployment('ok');
    await world.addInstance('ok', ok.address);
    await world.addDeployment('broken');
    await world.addInstance('broken', broken.address);
    await world.addDeployment('idle');
    await world.setRoute(OK, 'ok');
    await world.setRoute(BROKEN, 'broken');
    await world.setRoute(IDLE, 'idle');
  });
  afterAll(async () => {
    await world?.close();
    await Promise.all([ok?.close(), broken?.close()]);
  });

  describe('one process', () => {
    let gateway: GatewayFleet & { metricsPort?: number };
    beforeAll(async () => {
      gateway = await startGatewayProcesses({ redisUrl: world.redisUrl, prefix: world.prefix, prisma: world.prisma, port: 0, processes: 1, metricsPort: 0, resyncMs: NO_PERIODIC_RESYNC });
    });
    afterAll(async () => gateway?.close());

    it('counts proxied requests, upstream latency and errors by status class, never by host or deployment', async () => {
      expect((await send(gateway.port, OK)).status).toBe(200);
      expect((await send(gateway.port, OK, { method: 'POST', body: 'x' })).status).toBe(200);
      expect((await send(gateway.port, BROKEN)).status).toBe(503);
      expect((await send(gateway.port, IDLE)).status).toBe(502);
      expect((await send(gateway.port, 'nobody.deploy.localhost')).status).toBe(404);

      expect(gateway.metricsPort).toEqual(expect.any(Number));
      const { status, samples, text } = await scrape(gateway.metricsPort!);
      expect(status).toBe(200);
      expect(valueOf(samples, 'deployflow_gateway_requests_total')).toBe(5);
      expect(valueOf(samples, 'deployflow_gateway_responses_total', { status_class: '2xx', source: 'upstream' })).toBe(2);
      expect(valueOf(samples, 'deployflow_gateway_responses_total', { status_class: '5xx', source: 'upstream' })).toBe(1);
      expect(valueOf(samples, 'deployflow_gateway_responses_total', { status_class: '5xx', source: 'gateway' })).toBe(1);
      expect(valueOf(samples, 'deployflow_gateway_responses_total', { status_class: '4xx', source: 'gateway' })).toBe(1);
      expect(valueOf(samples, 'deployflow_gateway_upstream_duration_seconds_count', { status_class: '2xx' })).toBe(2);
      expect(valueOf(samples, 'deployflow_gateway_upstream_duration_seconds_count', { status_class: '5xx' })).toBe(1);
      expect(valueOf(samples, 'deployflow_gateway_upstream_duration_seconds_sum', { status_class: '2xx' })).toBeGreaterThan(0);
      expect(valueOf(samples, 'deployflow_gateway_errors_total', { status_class: '5xx', code: 'no_instance' })).toBe(1);
      expect(valueOf(samples, 'deployflow_gateway_errors_total', { status_class: '4xx', code: 'unknown_host' })).toBe(1);

      const values = new Set(samples.flatMap((s) => Object.values(s.labels)));
      expect(TENANT_VALUES.filter((v) => values.has(v))).toEqual([]);
      expect(text).not.toContain('deploy.localhost');
    });

    it("leaves /metrics on the proxy port to the tenant's app, and answers nothing else on the metrics port", async () => {
      const before = ok.requests.length;
      const reply = await send(gateway.port, OK, { path: '/metrics' });
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('ok');
      expect(ok.requests.slice(before).map((r) => r.url)).toEqual(['/metrics']);
      expect((await fetch(`http://127.0.0.1:${gateway.metricsPort}/`)).status).toBe(404);
    });
  });

  describe('two processes sharing the proxy port', () => {
    let gateway: GatewayFleet & { metricsPort?: number };
    beforeAll(async () => {
      gateway = await startGatewayProcesses({ redisUrl: world.redisUrl, prefix: world.prefix, prisma: world.prisma, port: 0, processes: 2, metricsPort: 0, resyncMs: NO_PERIODIC_RESYNC });
    }, 120_000);
    afterAll(async () => gateway?.close());

    it('adds up what every process served', async () => {
      const REQUESTS = 8;
      // Each on a new connection: the cluster hands new connections to its processes in turn.
      for (let i = 0; i < REQUESTS; i++) expect((await send(gateway.port, OK)).status).toBe(200);
      expect((await send(gateway.port, IDLE)).status).toBe(502);
      const stats = await gateway.stats();
      expect(stats).toHaveLength(2);
      // Both processes served some of them, so a scrape of one process alone could not show them all.
      for (const s of stats) expect(s.served).toBeGreaterThan(0);

      const { samples } = await scrape(gateway.metricsPort!);
      expect(valueOf(samples, 'deployflow_gateway_requests_total')).toBe(REQUESTS + 1);
      expect(valueOf(samples, 'deployflow_gateway_responses_total', { status_class: '2xx', source: 'upstream' })).toBe(REQUESTS);
      expect(valueOf(samples, 'deployflow_gateway_upstream_duration_seconds_count', { status_class: '2xx' })).toBe(REQUESTS);
      expect(valueOf(samples, 'deployflow_gateway_errors_total', { status_class: '5xx', code: 'no_instance' })).toBe(1);
      expect(samplesOf(samples, 'deployflow_gateway_upstream_duration_seconds_bucket', { status_class: '2xx', le: '+Inf' })).toEqual([
        expect.objectContaining({ value: REQUESTS }),
      ]);
    });
  });
});
