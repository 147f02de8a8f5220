import { GatewayFleet, startGatewayProcesses } from '../../src/gateway';
import { hashTagOf } from '../../src/redis/hash-tag';
import { readDeploymentWindow } from '../../src/telemetry/deployment-window';
import { telemetryBucketKey } from '../../src/telemetry/telemetry-keys';
import { startRedisCluster, RedisCluster } from '../support/redis-cluster';
import { eventually, openBlueGreenWorld, BlueGreen } from '../gateway/gateway-fixture';
import { sendMany, since } from './telemetry-fixture';

const HOST = 'app.deploy.localhost';

/**
 * On a Redis Cluster the flush pipeline and the window's reads must stay in the prefix's slot (a pipeline across
 * slots fails with CROSSSLOT or is split): two gateway processes' figures sum exactly there too.
 */
describe('gateway telemetry on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let bg: BlueGreen;
  let fleet: GatewayFleet;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    bg = await openBlueGreenWorld({ redisUrl: cluster.url });
    await bg.world.setRoute(HOST, 'blue');
    fleet = await startGatewayProcesses({ redisUrl: cluster.url, prefix: bg.world.prefix, prisma: bg.world.prisma, port: 0, processes: 2, resyncMs: 3_600_000 });
  }, 120_000);
  afterAll(async () => {
    await fleet?.close();
    await bg?.close();
    await cluster?.stop();
  });

  it('sums both processes’ figures exactly, every key in the prefix’s slot', async () => {
    const { prefix, redis } = bg.world;
    expect(hashTagOf(telemetryBucketKey(prefix, 'blue', 1))).toBe(hashTagOf(prefix));
    const from = Date.now();
    const replies = await sendMany(fleet.port, HOST, 100);
    expect(replies.every((r) => r.status === 200)).toBe(true);
    await eventually('both processes’ figures reached the window', async () => (await readDeploymentWindow(redis, prefix, 'blue', since(from))).requests === 100, 5_000);
    const figures = await readDeploymentWindow(redis, prefix, 'blue', since(from));
    expect(figures).toMatchObject({ requests: 100, errors5xx: 0 });
    expect(figures.p95Ms).toEqual(expect.any(Number));
    // Both processes wrote (fields of two writers in the seconds of this traffic).
    const writers = new Set<string>();
    for (let s = Math.floor(from / 1000); s <= Math.floor(Date.now() / 1000); s++) {
      for (const field of Object.keys(await redis.hgetall(telemetryBucketKey(prefix, 'blue', s)))) writers.add(field.split(':')[0]);
    }
    expect(writers.size).toBe(2);
  });
});
