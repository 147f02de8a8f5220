import type { GatewayService } from '../../src/gateway';
import { readDeploymentWindow } from '../../src/telemetry/deployment-window';
import { eventually, openRoutingWorld, RoutingWorld, send } from '../gateway/gateway-fixture';
import { HelloApi, startHelloApi } from './hello-api-process';
import { sendMany, since } from './telemetry-fixture';

const EXTRA_LATENCY_MS = 400;

/**
 * The release tests' bad canaries are hello-api with FAIL_RATE or EXTRA_LATENCY_MS: the app must fail (or slow
 * down) only `GET /`, and the gateway's window must show it — the error rate and a p95 at least the added latency.
 */
describe('the window reflects hello-api’s FAIL_RATE and EXTRA_LATENCY_MS', () => {
  let world: RoutingWorld;
  let gateway: GatewayService;
  const apps: HelloApi[] = [];
  const window = (deploymentId: string, w: { fromMs: number; toMs: number }) => readDeploymentWindow(world.redis, world.prefix, deploymentId, w);

  beforeAll(async () => {
    world = await openRoutingWorld();
    const versions: Array<[string, Record<string, string>]> = [
      ['fast', {}],
      ['slow', { EXTRA_LATENCY_MS: String(EXTRA_LATENCY_MS) }],
      ['broken', { FAIL_RATE: '1' }],
      ['half', { FAIL_RATE: '0.5' }],
    ];
    for (const [id, env] of versions) {
      const app = await startHelloApi(id, env);
      apps.push(app);
      await world.addDeployment(id);
      await world.addInstance(id, app.address);
      await world.setRoute(`${id}.deploy.localhost`, id);
    }
    gateway = await world.startGateway(3_600_000);
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    await Promise.all(apps.map((a) => a.stop()));
  });

  it('shows a p95 of at least EXTRA_LATENCY_MS for the slow version and well below it for the fast one', async () => {
    const from = Date.now();
    const [fast, slow] = await Promise.all([sendMany(gateway.port, 'fast.deploy.localhost', 40), sendMany(gateway.port, 'slow.deploy.localhost', 40, 10)]);
    expect([...fast, ...slow].every((r) => r.status === 200)).toBe(true);
    await eventually('both windows are complete', async () => (await window('fast', since(from))).requests === 40 && (await window('slow', since(from))).requests === 40, 5_000);
    const fastFigures = await window('fast', since(from));
    const slowFigures = await window('slow', since(from));
    console.log(`telemetry p95: fast ${fastFigures.p95Ms} ms, slow (EXTRA_LATENCY_MS=${EXTRA_LATENCY_MS}) ${slowFigures.p95Ms} ms`);
    expect(slowFigures.p95Ms).toBeGreaterThanOrEqual(EXTRA_LATENCY_MS);
    expect(fastFigures.p95Ms).toBeLessThan(EXTRA_LATENCY_MS);
  });

  it('counts FAIL_RATE’s 500s of GET / while /healthz stays 200', async () => {
    const from = Date.now();
    const broken = await sendMany(gateway.port, 'broken.deploy.localhost', 30);
    expect(broken.every((r) => r.status === 500 && r.headers['x-deployment-id'] === 'broken')).toBe(true);
    expect((await send(gateway.port, 'broken.deploy.localhost', { path: '/healthz' })).status).toBe(200);
    const half = await sendMany(gateway.port, 'half.deploy.localhost', 200);
    const failed = half.filter((r) => r.status === 500).length;
    // FAIL_RATE=0.5 over 200 draws: far outside [60, 140] has odds below one in a billion.
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    await eventually('the windows are complete', async () => (await window('half', since(from))).requests === 200, 5_000);
    expect(await window('broken', since(from))).toMatchObject({ requests: 31, errors5xx: 30 });
    expect(await window('half', since(from))).toMatchObject({ requests: 200, errors5xx: failed, errorRate: failed / 200 });
  });
});
