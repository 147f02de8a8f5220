import { readDeploymentWindow } from '../../src/telemetry/deployment-window';
import { eventually, openBlueGreenWorld, BlueGreen, startUpstream, Upstream } from '../gateway/gateway-fixture';
import { nextSecond, sendMany, since } from './telemetry-fixture';
import type { GatewayService } from '../../src/gateway';
import { freePort } from '../../src/services/free-port';

const HOSTS = { blue: 'blue.deploy.localhost', flaky: 'flaky.deploy.localhost', dead: 'dead.deploy.localhost', none: 'none.deploy.localhost' };

/**
 * One gateway process counts every answer per deployment (the gateway's own 502s included) and flushes the figures
 * to Redis every second, where readDeploymentWindow finds them: exact counts, within about a second.
 */
describe('gateway telemetry in one process', () => {
  let bg: BlueGreen;
  let flaky: Upstream;
  let gateway: GatewayService;
  let flakyCalls = 0;
  const window = (deploymentId: string, w: { fromMs: number; toMs: number }) => readDeploymentWindow(bg.world.redis, bg.world.prefix, deploymentId, w);

  beforeAll(async () => {
    bg = await openBlueGreenWorld();
    // Every other request answers 500: exactly half of an even number of requests.
    flaky = await startUpstream('flaky', (_req, res) => {
      res.writeHead(++flakyCalls % 2 === 0 ? 500 : 200);
      res.end();
    });
    const { world } = bg;
    for (const id of ['flaky', 'dead', 'none']) await world.addDeployment(id);
    await world.addInstance('flaky', flaky.address);
    // A running instance nobody listens for: every connection is refused, the gateway answers 502 itself.
    await world.addInstance('dead', `127.0.0.1:${await freePort()}`);
    // 'none' has no running instance at all: 502 before any connection.
    for (const [id, host] of Object.entries(HOSTS)) await world.setRoute(host, id);
    gateway = await world.startGateway(3_600_000);
  }, 60_000);
  afterAll(async () => {
    await bg?.close();
    await flaky?.close();
  });

  it('has the figures of the answers in Redis within about a second, with 5xx and the gateway’s own 502s counted', async () => {
    const from = Date.now() - 1;
    const replies = await Promise.all([
      sendMany(gateway.port, HOSTS.blue, 30),
      sendMany(gateway.port, HOSTS.flaky, 20),
      sendMany(gateway.port, HOSTS.dead, 7),
      sendMany(gateway.port, HOSTS.none, 5),
    ]);
    const lastAnswer = Date.now();
    expect(replies[0].every((r) => r.status === 200)).toBe(true);
    expect(replies[1].filter((r) => r.status === 500)).toHaveLength(10);
    expect(replies[2].every((r) => r.status === 502 && r.headers['x-deployment-id'] === 'dead')).toBe(true);
    expect(replies[3].every((r) => r.status === 502 && r.headers['x-deployment-id'] === 'none')).toBe(true);

    await eventually('the blue answers reached the window', async () => (await window('blue', since(from))).requests === 30, 3_000);
    console.log(`telemetry: the last answer's figures were readable ${Date.now() - lastAnswer} ms after it`);

    const blue = await window('blue', since(from));
    expect(blue).toMatchObject({ requests: 30, errors5xx: 0, errorRate: 0 });
    expect(blue.p95Ms).toEqual(expect.any(Number));
    await eventually('every deployment’s answers reached the window', async () => (await window('none', since(from))).requests === 5, 3_000);
    expect(await window('flaky', since(from))).toMatchObject({ requests: 20, errors5xx: 10, errorRate: 0.5 });
    expect(await window('dead', since(from))).toMatchObject({ requests: 7, errors5xx: 7, errorRate: 1 });
    expect(await window('none', since(from))).toMatchObject({ requests: 5, errors5xx: 5, errorRate: 1 });
    // Another deployment's window, and no traffic at all: zeros, no latency.
    expect(await window('green', since(from))).toEqual({ requests: 0, errors5xx: 0, errorRate: 0, p95Ms: null });
  });

  it('counts only the seconds that overlap the window', async () => {
    const first = await nextSecond();
    const earlier = await window('blue', { fromMs: first - 5_000, toMs: first });
    await sendMany(gateway.port, HOSTS.blue, 12);
    const second = await nextSecond();
    expect(second).toBeGreaterThan(first);
    await sendMany(gateway.port, HOSTS.blue, 5);
    await eventually('both seconds reached Redis', async () => (await window('blue', { fromMs: first, toMs: Date.now() + 2_000 })).requests === 17, 3_000);
    expect((await window('blue', { fromMs: first, toMs: second })).requests).toBe(12);
    expect((await window('blue', { fromMs: second, toMs: Date.now() + 2_000 })).requests).toBe(5);
    // A window is widened to the whole seconds it overlaps; one ending before this traffic did not change.
    expect((await window('blue', { fromMs: first + 500, toMs: second })).requests).toBe(12);
    expect((await window('blue', { fromMs: second + 500, toMs: second + 501 })).requests).toBe(5);
    expect(await window('blue', { fromMs: first - 5_000, toMs: first })).toEqual(earlier);
  });

  it('writes the last figures when the gateway stops gracefully, without waiting for the next flush', async () => {
    // Just after a flush: the next periodic one is almost a second away, the stop must write these itself.
    const from = await nextSecond();
    await sendMany(gateway.port, HOSTS.blue, 9);
    expect(Date.now() - from).toBeLessThan(900);
    await gateway.close();
    expect((await window('blue', since(from))).requests).toBe(9);
  });
});
