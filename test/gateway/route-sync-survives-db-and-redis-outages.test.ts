import type { GatewayService } from '../../src/gateway';
import { BlueGreen, eventually, openBlueGreenWorld, RoutingWorld, send } from './gateway-fixture';

describe('route sync: outages of its sources', () => {
  let world: RoutingWorld;
  let stage: BlueGreen;
  beforeAll(async () => {
    stage = await openBlueGreenWorld();
    ({ world } = stage);
  });
  afterAll(async () => stage.close());

  // Real database errors: the table the reload reads is briefly not there.
  const breakRoutesTable = () => world.prisma.$executeRawUnsafe('ALTER TABLE "IngressRoute" RENAME TO "IngressRouteAway"');
  const repairRoutesTable = () => world.prisma.$executeRawUnsafe('ALTER TABLE "IngressRouteAway" RENAME TO "IngressRoute"');

  it('keeps serving the last good table while reloads fail, and catches up at the first reload that works', async () => {
    await world.setRoute('db.deploy.localhost', 'blue');
    const gateway: GatewayService = await world.startGateway(100);
    expect((await send(gateway.port, 'db.deploy.localhost')).body).toBe('blue');

    await breakRoutesTable();
    const failedBefore = gateway.sync.stats().failedResyncs;
    await eventually('two reloads failed', async () => gateway.sync.stats().failedResyncs >= failedBefore + 2);
    expect((await send(gateway.port, 'db.deploy.localhost')).body).toBe('blue');

    await repairRoutesTable();
    await world.setRoute('db.deploy.localhost', 'green');
    await eventually('a later reload moved the route', async () => (await send(gateway.port, 'db.deploy.localhost')).body === 'green');
    await gateway.close();
  });

  it('answers 503 until a first load succeeds when it starts with the database failing', async () => {
    await world.setRoute('late.deploy.localhost', 'blue');
    await breakRoutesTable();
    let gateway: GatewayService;
    try {
      gateway = await world.startGateway(100);
      const reply = await send(gateway.port, 'late.deploy.localhost');
      expect(reply.status).toBe(503);
      expect(JSON.parse(reply.body).error.code).toBe('not_ready');
    } finally {
      await repairRoutesTable();
    }
    await eventually('the table loaded', async () => (await send(gateway.port, 'late.deploy.localhost')).body === 'blue');
    await gateway.close();
  });

  it('reloads after its Redis subscription was cut, then applies published changes again', async () => {
    await world.setRoute('sub.deploy.localhost', 'blue');
    await world.setRoute('after.deploy.localhost', 'blue');
    const gateway: GatewayService = await world.startGateway(3_600_000);
    expect((await send(gateway.port, 'sub.deploy.localhost')).body).toBe('blue');
    const resyncsBefore = gateway.sync.stats().resyncs;

    // A change made while the gateway could not hear about it.
    await world.setRoute('sub.deploy.localhost', 'green');
    const clients = (await world.redis.client('LIST')) as string;
    const ours = clients.split('\n').filter((line) => line.includes(` name=${world.prefix}:route-subscriber `));
    expect(ours).toHaveLength(1);
    const id = /(?:^|\s)id=(\d+)/.exec(ours[0])![1];
    await world.redis.client('KILL', 'ID', id);

    await eventually('the reconnect triggered a reload', async () => (await send(gateway.port, 'sub.deploy.localhost')).body === 'green');
    expect(gateway.sync.stats().resyncs).toBeGreaterThan(resyncsBefore);

    await world.setRoute('after.deploy.localhost', 'green');
    await world.publish([{ hostname: 'after.deploy.localhost', deploymentId: 'green' }]);
    await eventually('the published change arrived', async () => (await send(gateway.port, 'after.deploy.localhost')).body === 'green');
    await gateway.close();
  });
});
