import { readFileSync } from 'node:fs';
import { GatewayFleet, startGatewayProcesses } from '../../src/gateway';
import { openBlueGreenWorld, BlueGreen } from './gateway-fixture';

const NO_PERIODIC_RESYNC = 3_600_000;

/**
 * Every proxied request leaves short-lived garbage behind; with V8's default 16 MB semi-spaces a loaded worker
 * scavenged every ~600 requests (a ~1 ms pause for every request in flight). Gateway workers are forked with 32 MB
 * semi-spaces: a quarter of the scavenges for the same cost each. Read from each worker's command line.
 */
describe('gateway worker processes', () => {
  let bg: BlueGreen;
  let gateway: GatewayFleet;
  beforeAll(async () => {
    bg = await openBlueGreenWorld();
    gateway = await startGatewayProcesses({ redisUrl: bg.world.redisUrl, prefix: bg.world.prefix, prisma: bg.world.prisma, port: 0, processes: 2, resyncMs: NO_PERIODIC_RESYNC });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await bg.close();
  });

  it('run with 32 MB semi-spaces', async () => {
    const stats = await gateway.stats();
    expect(stats).toHaveLength(2);
    for (const { pid } of stats) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(argv).toEqual(expect.arrayContaining(['--min-semi-space-size=32', '--max-semi-space-size=32']));
    }
  });
});
