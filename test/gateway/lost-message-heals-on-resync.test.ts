import type { GatewayService } from '../../src/gateway';
import { routesVersionKey } from '../../src/routing/publication/route-publication';
import { BlueGreen, eventually, openBlueGreenWorld, RoutingWorld, send } from './gateway-fixture';

describe('gateway: a lost route message heals', () => {
  let world: RoutingWorld;
  let stage: BlueGreen;
  beforeAll(async () => {
    stage = await openBlueGreenWorld();
    ({ world } = stage);
  });
  afterAll(async () => stage.close());

  it('picks up a change that was never published at the next periodic resync', async () => {
    await world.setRoute('quiet.deploy.localhost', 'blue');
    const gateway: GatewayService = await world.startGateway(200);
    expect((await send(gateway.port, 'quiet.deploy.localhost')).body).toBe('blue');

    await world.setRoute('quiet.deploy.localhost', 'green');
    await eventually('the periodic resync moved the route', async () => (await send(gateway.port, 'quiet.deploy.localhost')).body === 'green');
    expect(gateway.sync.stats().applied).toBe(0);
  });

  it('reloads the whole table when a published version skips one, which also applies the lost change', async () => {
    await world.setRoute('lost.deploy.localhost', 'blue');
    await world.setRoute('next.deploy.localhost', 'blue');
    const gateway: GatewayService = await world.startGateway(3_600_000);
    expect((await send(gateway.port, 'lost.deploy.localhost')).body).toBe('blue');
    const resyncsBefore = gateway.sync.stats().resyncs;

    // A change committed and versioned whose message never arrived...
    await world.setRoute('lost.deploy.localhost', 'green');
    await world.redis.incr(routesVersionKey(world.prefix));
    // ...then a later change that is published: its version shows the gap.
    await world.setRoute('next.deploy.localhost', 'green');
    await world.publish([{ hostname: 'next.deploy.localhost', deploymentId: 'green' }]);

    await eventually('the gap triggered a reload', async () => (await send(gateway.port, 'next.deploy.localhost')).body === 'green');
    expect((await send(gateway.port, 'lost.deploy.localhost')).body).toBe('green');
    expect(gateway.sync.stats().resyncs).toBeGreaterThan(resyncsBefore);
    expect(gateway.table.version).toBe(Number(await world.redis.get(routesVersionKey(world.prefix))));
  });
});
