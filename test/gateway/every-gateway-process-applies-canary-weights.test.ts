import { GatewayFleet, startGatewayProcesses } from '../../src/gateway';
import { BlueGreen, eventually, openBlueGreenWorld } from './gateway-fixture';
import { ask, askMany, setCanary } from './weighted-route-fixture';

const HOST = 'shop.deploy.localhost';
// The periodic resync is an hour away: only the published change (or a process's own first load) can weigh traffic.
const NO_PERIODIC_RESYNC = 3_600_000;
const PER_SIDE = 24;

/**
 * With several gateway processes sharing the port, each applies a published weight change itself (its own Redis
 * subscription), and a process that loads its routes afresh (a worker forked again) gets the weights from the snapshot
 * its primary reads. Requests on new connections are handed to the processes in turn, so a client holding the canary
 * cookie is answered by every process: all of them must send it to the canary (a process without the weights would
 * send it to the stable), and new clients are split on all of them.
 */
describe('canary weights in a gateway of several processes', () => {
  let bg: BlueGreen;
  let gateway: GatewayFleet;
  beforeAll(async () => {
    bg = await openBlueGreenWorld();
    await bg.world.setRoute(HOST, 'blue');
    gateway = await startGatewayProcesses({ redisUrl: bg.world.redisUrl, prefix: bg.world.prefix, prisma: bg.world.prisma, port: 0, processes: 2, resyncMs: NO_PERIODIC_RESYNC });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await bg?.close();
  });

  const servedByPid = async () => new Map((await gateway.stats()).map((s) => [s.pid, s.served]));

  /** Every process answered some of the requests, and every answer came from the side the cookie names. */
  async function everyProcessKeeps(cookie: string, side: string) {
    const before = await servedByPid();
    const replies = await askMany(PER_SIDE, 4, () => ask(gateway.port, HOST, cookie, { freshConnection: true }));
    expect(replies.map((r) => r.deploymentId)).toEqual(Array(PER_SIDE).fill(side));
    const after = await servedByPid();
    expect(after.size).toBe(2);
    for (const [pid, served] of after) expect(served).toBeGreaterThan(before.get(pid) ?? 0);
  }

  it('has every process apply a published weight change', async () => {
    await setCanary(bg, HOST, { deploymentId: 'green', weight: 30 });
    const version = await bg.world.publish([{ hostname: HOST, deploymentId: 'blue', canary: { deploymentId: 'green', weight: 30 } }]);
    await eventually('every gateway process applied the change', async () => (await gateway.stats()).every((s) => s.version >= version));
    await everyProcessKeeps('df_canary=green.c', 'green');
    await everyProcessKeeps('df_canary=green.s', 'blue');
    const fresh = await askMany(600, 8, () => ask(gateway.port, HOST, undefined, { freshConnection: true }));
    const served = fresh.filter((r) => r.deploymentId === 'green').length / fresh.length;
    console.log(`cluster of 2: requested 30% canary, served ${(served * 100).toFixed(1)}% of 600 new clients`);
    expect(Math.abs(served - 0.3)).toBeLessThan(0.08);
  });

  it('a process forked again loads the weights with its routes', async () => {
    const [victim, survivor] = (await gateway.stats()).map((s) => s.pid);
    process.kill(victim, 'SIGKILL');
    await eventually(
      'a new process replaced the killed one',
      async () => {
        const stats = await gateway.stats();
        return stats.length === 2 && stats.every((s) => s.loaded) && stats.some((s) => s.pid === survivor) && !stats.some((s) => s.pid === victim);
      },
      90_000,
    );
    await everyProcessKeeps('df_canary=green.c', 'green');
  }, 120_000);
});
