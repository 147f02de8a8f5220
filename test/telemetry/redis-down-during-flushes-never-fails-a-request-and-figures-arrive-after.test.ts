import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GatewayService } from '../../src/gateway';
import { freePort } from '../../src/services/free-port';
import { RunningRedis, startRedisServer } from '../../src/services/redis-server';
import { readDeploymentWindow } from '../../src/telemetry/deployment-window';
import { eventually, openRoutingWorld, RoutingWorld, send, startUpstream, Upstream } from '../gateway/gateway-fixture';
import { nextSecond, sendMany, since } from './telemetry-fixture';

const HOST = 'app.deploy.localhost';

/**
 * Telemetry must never cost a request anything when Redis is away: flushes fail in the background, requests are
 * answered as usual, and the figures counted meanwhile are written once Redis is back.
 */
describe('Redis down while the gateway flushes its figures', () => {
  let dir: string;
  let port: number;
  let redis: RunningRedis | undefined;
  let world: RoutingWorld;
  let upstream: Upstream;
  let gateway: GatewayService;
  const window = (w: { fromMs: number; toMs: number }) => readDeploymentWindow(world.redis, world.prefix, 'blue', w);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-telemetry-redis-'));
    port = await freePort();
    redis = await startRedisServer({ dir, port });
    world = await openRoutingWorld({ redisUrl: redis.url });
    upstream = await startUpstream('blue');
    await world.addDeployment('blue');
    await world.addInstance('blue', upstream.address);
    await world.setRoute(HOST, 'blue');
    gateway = await world.startGateway(3_600_000);
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
    await redis?.service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every request while Redis is down, and writes the outage’s figures once it is back', async () => {
    const before = Date.now();
    await sendMany(gateway.port, HOST, 10);
    await eventually('figures before the outage were written', async () => (await window(since(before))).requests === 10, 5_000);

    const outageFrom = await nextSecond();
    await redis!.service.kill();
    redis = undefined;
    const failedBefore = gateway.telemetry.failedFlushes;
    // Requests over several flush periods, each timed: none may fail or wait for Redis.
    let slowest = 0;
    let answered = 0;
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      const started = Date.now();
      const reply = await send(gateway.port, HOST);
      slowest = Math.max(slowest, Date.now() - started);
      expect(reply.status).toBe(200);
      answered++;
      await new Promise((r) => setTimeout(r, 40));
    }
    console.log(`telemetry with Redis down: ${answered} requests answered, slowest ${slowest} ms, failed flushes ${gateway.telemetry.failedFlushes - failedBefore}`);
    expect(gateway.telemetry.failedFlushes).toBeGreaterThan(failedBefore);
    // Generous: a request waiting for a flush would wait for ioredis' reconnect attempts (hundreds of ms and more).
    expect(slowest).toBeLessThan(1_000);

    redis = await startRedisServer({ dir, port });
    // The test's own connection to Redis comes back by itself too: a read it sends while it is still reconnecting may
    // fail ("Connection is closed."), which says nothing about the gateway, so such a read just counts as "not yet".
    await eventually(
      'the outage’s figures were written after Redis came back',
      async () => (await window(since(outageFrom)).catch(() => undefined))?.requests === answered,
      20_000,
    );
    expect(await window(since(outageFrom))).toMatchObject({ requests: answered, errors5xx: 0 });
    expect(gateway.telemetry.dropped).toBe(0);
  });
});
