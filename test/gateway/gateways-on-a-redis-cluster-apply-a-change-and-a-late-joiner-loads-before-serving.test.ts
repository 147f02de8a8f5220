import { GatewayFleet, GatewayService, startGatewayProcesses, startGatewayService } from '../../src/gateway';
import { startRedisCluster, RedisCluster } from '../support/redis-cluster';
import { eventually, openBlueGreenWorld, BlueGreen, send } from './gateway-fixture';

const HOST = 'app.deploy.localhost';
// The periodic resync is an hour away: only the published change (or the start-up load) can move traffic here.
const NO_PERIODIC_RESYNC = 3_600_000;
// Generous on a loaded 2-core machine; a change normally lands in a few milliseconds (the figure is printed).
const APPLY_BOUND_MS = 3_000;

/**
 * Many gateways on a Redis Cluster: two gateway processes (each with its own subscriber connection to the cluster)
 * both apply a published route change, and a gateway started after the change loads the table from the database
 * before it serves, so its first answer already follows the change.
 */
describe('gateways on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let bg: BlueGreen;
  let fleet: GatewayFleet;
  let late: GatewayService | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    bg = await openBlueGreenWorld({ redisUrl: cluster.url });
    await bg.world.setRoute(HOST, 'blue');
    fleet = await startGatewayProcesses({ redisUrl: cluster.url, prefix: bg.world.prefix, prisma: bg.world.prisma, port: 0, processes: 2, resyncMs: NO_PERIODIC_RESYNC });
  }, 120_000);
  afterAll(async () => {
    await late?.close();
    await fleet?.close();
    await bg?.close();
    await cluster?.stop();
  });

  it('two gateway processes both apply a published change, within a bound', async () => {
    const stats = await fleet.stats();
    expect(stats).toHaveLength(2);
    expect(new Set(stats.map((s) => s.pid)).size).toBe(2);
    expect((await send(fleet.port, HOST)).body).toBe('blue');

    await bg.world.setRoute(HOST, 'green');
    const published = Date.now();
    const version = await bg.world.publish([{ hostname: HOST, deploymentId: 'green' }]);
    const appliedAt = new Map<number, number>();
    await eventually(
      'both gateway processes applied the change',
      async () => {
        for (const s of await fleet.stats()) if (s.version >= version && !appliedAt.has(s.pid)) appliedAt.set(s.pid, Date.now() - published);
        return appliedAt.size === 2;
      },
      15_000,
    );
    const slowestMs = Math.max(...appliedAt.values());
    console.log(`route change applied by ${appliedAt.size} gateway processes on the Redis Cluster: ${JSON.stringify(Object.fromEntries(appliedAt))} ms after publish (slowest ${slowestMs} ms; stats polled every 20 ms)`);
    expect(slowestMs).toBeLessThan(APPLY_BOUND_MS);
    // Applied from the message, not from a reload: the start-up load was the only one.
    for (const s of await fleet.stats()) expect(s.sync).toMatchObject({ resyncs: 1, applied: 1 });
    for (let i = 0; i < 8; i++) expect((await send(fleet.port, HOST)).body).toBe('green');
  });

  it('a gateway started late loads the current table from the database before it serves', async () => {
    // A change it never heard published: only its start-up load from the database can know it.
    await bg.world.setRoute(HOST, 'blue');
    const started = Date.now();
    late = await startGatewayService({ redisUrl: cluster.url, prefix: bg.world.prefix, prisma: bg.world.prisma, port: 0, resyncMs: NO_PERIODIC_RESYNC });
    const readyMs = Date.now() - started;
    // Its very first answer (no waiting) follows the database, not an empty table (404) or a stale one.
    const first = await send(late.port, HOST);
    expect({ status: first.status, body: first.body }).toEqual({ status: 200, body: 'blue' });
    expect(late.table.size).toBeGreaterThan(0);
    // And from then on it follows published changes like the others.
    await bg.world.setRoute(HOST, 'green');
    const version = await bg.world.publish([{ hostname: HOST, deploymentId: 'green' }]);
    await eventually('the late gateway applied the next change', async () => (await late!.stats())[0].version >= version);
    expect((await send(late.port, HOST)).body).toBe('green');
    console.log(`late gateway on the Redis Cluster ready (table loaded) in ${readyMs} ms`);
  });
});
