import type { GatewayService } from '../../src/gateway';
import { eventually, openRoutingWorld, PROJECT_ID, RoutingWorld, send, startUpstream, Upstream } from './gateway-fixture';

// The periodic resync is an hour away: a stale route would stay until then, so only the guard can keep it right.
const NO_PERIODIC_RESYNC = 3_600_000;
const HOST = 'app.deploy.localhost';

/**
 * A routing job that runs again after its commit (killed between commit and publish, or a false stall while it
 * was still running) finds its RouteChange row and publishes that change once more, with a new global version.
 * When a newer change of the project was published in between, applying the replay would move traffic back to
 * the older deployment until the next full reload. Each published change carries its per-project sequence, and
 * the gateway skips one older than what it holds.
 */
describe('gateway: a replayed route change never undoes a newer one', () => {
  let world: RoutingWorld;
  let gateway: GatewayService;
  let blue: Upstream;
  let green: Upstream;
  beforeAll(async () => {
    world = await openRoutingWorld();
    [blue, green] = await Promise.all([startUpstream('blue'), startUpstream('green')]);
    await world.addDeployment('blue');
    await world.addInstance('blue', blue.address);
    await world.addDeployment('green');
    await world.addInstance('green', green.address);
    await world.setRoute(HOST, 'blue');
    gateway = await world.startGateway(NO_PERIODIC_RESYNC);
  });
  afterAll(async () => {
    await world.close();
    await Promise.all([blue.close(), green.close()]);
  });

  const body = async () => (await send(gateway.port, HOST)).body;

  it('keeps the newer change when the older one is published again after it', async () => {
    await world.setRoute(HOST, 'green');
    await world.publish([{ hostname: HOST, deploymentId: 'green' }], 1);
    await eventually('green serves', async () => (await body()) === 'green');
    await world.setRoute(HOST, 'blue');
    await world.publish([{ hostname: HOST, deploymentId: 'blue' }], 2);
    await eventually('blue serves', async () => (await body()) === 'blue');

    const replayedVersion = await world.publish([{ hostname: HOST, deploymentId: 'green' }], 1);
    await eventually('the replay was seen', async () => gateway.table.version === replayedVersion);
    expect(await body()).toBe('blue');
    expect(gateway.sync.stats()).toMatchObject({ applied: 2, superseded: 1 });
  });

  it('knows each project sequence from a full reload, so a replay right after it is skipped too', async () => {
    // What the database holds after both changes committed; the reload reads the last sequence from it.
    await world.prisma.routeChange.createMany({
      data: [
        { id: 'rc1', operationId: 'op1', projectId: PROJECT_ID, sequence: 1, changes: [] },
        { id: 'rc2', operationId: 'op2', projectId: PROJECT_ID, sequence: 2, changes: [] },
      ],
    });
    await world.setRoute(HOST, 'green');
    await world.prisma.routeChange.create({ data: { id: 'rc3', operationId: 'op3', projectId: PROJECT_ID, sequence: 3, changes: [] } });
    expect(await gateway.sync.resync()).toBe(true);
    expect(await body()).toBe('green');

    const replayedVersion = await world.publish([{ hostname: HOST, deploymentId: 'blue' }], 3);
    await eventually('the replay was seen', async () => gateway.table.version === replayedVersion);
    expect(await body()).toBe('green');
    expect(gateway.sync.stats().superseded).toBe(2);
  });

  it('applies a message without a sequence (published before sequences existed) as it always did', async () => {
    await world.setRoute(HOST, 'blue');
    await world.publish([{ hostname: HOST, deploymentId: 'blue' }]);
    await eventually('blue serves', async () => (await body()) === 'blue');
  });
});
