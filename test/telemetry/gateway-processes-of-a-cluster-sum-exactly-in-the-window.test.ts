import { GatewayFleet, startGatewayProcesses } from '../../src/gateway';
import { readDeploymentWindow } from '../../src/telemetry/deployment-window';
import { eventually, openBlueGreenWorld, BlueGreen, startUpstream, Upstream } from '../gateway/gateway-fixture';
import { nextSecond, sendMany, since } from './telemetry-fixture';

const HOST = 'app.deploy.localhost';
const FLAKY_HOST = 'flaky.deploy.localhost';

/**
 * In cluster mode each gateway process counts what it answered and writes fields of its own: the window is the exact
 * sum over the processes, never one process's figures overwriting another's.
 */
describe('gateway telemetry over the processes of a gateway cluster', () => {
  let bg: BlueGreen;
  let flaky: Upstream;
  let gateway: GatewayFleet;
  let flakyCalls = 0;
  const window = (deploymentId: string, w: { fromMs: number; toMs: number }) => readDeploymentWindow(bg.world.redis, bg.world.prefix, deploymentId, w);

  beforeAll(async () => {
    bg = await openBlueGreenWorld();
    // Every fourth request answers 503.
    flaky = await startUpstream('flaky', (_req, res) => {
      res.writeHead(++flakyCalls % 4 === 0 ? 503 : 200);
      res.end();
    });
    await bg.world.addDeployment('flaky');
    await bg.world.addInstance('flaky', flaky.address);
    await bg.world.setRoute(HOST, 'blue');
    await bg.world.setRoute(FLAKY_HOST, 'flaky');
    gateway = await startGatewayProcesses({ redisUrl: bg.world.redisUrl, prefix: bg.world.prefix, prisma: bg.world.prisma, port: 0, processes: 2, resyncMs: 3_600_000 });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await bg?.close();
    await flaky?.close();
  });

  it('sums both processes’ requests and 5xx exactly', async () => {
    const from = Date.now();
    const before = new Map((await gateway.stats()).map((s) => [s.pid, s.served]));
    const [blue, flakyReplies] = await Promise.all([sendMany(gateway.port, HOST, 150), sendMany(gateway.port, FLAKY_HOST, 80)]);
    expect(blue.every((r) => r.status === 200)).toBe(true);
    expect(flakyReplies.filter((r) => r.status === 503)).toHaveLength(20);
    // Both processes took part (new connections alternate between them).
    const stats = await gateway.stats();
    expect(stats).toHaveLength(2);
    for (const s of stats) expect(s.served - (before.get(s.pid) ?? 0)).toBeGreaterThan(20);

    await eventually('both processes’ figures reached the window', async () => (await window('blue', since(from))).requests === 150, 5_000);
    expect(await window('blue', since(from))).toMatchObject({ requests: 150, errors5xx: 0 });
    await eventually('the flaky deployment’s figures reached the window', async () => (await window('flaky', since(from))).requests === 80, 5_000);
    expect(await window('flaky', since(from))).toMatchObject({ requests: 80, errors5xx: 20, errorRate: 0.25 });
  });

  it('writes every process’s last figures when the cluster stops', async () => {
    const from = await nextSecond();
    await sendMany(gateway.port, HOST, 20);
    // Still within the second after a periodic flush: only the stop can have written these.
    expect(Date.now() - from).toBeLessThan(900);
    await gateway.close();
    expect(await window('blue', since(from))).toMatchObject({ requests: 20, errors5xx: 0 });
  });
});
