import type { GatewayService } from '../../src/gateway';
import { eventually, openRoutingWorld, RoutingWorld, send, startUpstream, Upstream } from './gateway-fixture';

// The periodic resync is an hour away: only the published change can move traffic here.
const NO_PERIODIC_RESYNC = 3_600_000;

describe('gateway: published route changes', () => {
  let world: RoutingWorld;
  let gateway: GatewayService;
  let blue: Upstream;
  let green: Upstream;
  beforeAll(async () => {
    world = await openRoutingWorld();
    [blue, green] = await Promise.all([startUpstream('blue'), startUpstream('green')]);
    await world.addDeployment('blue');
    await world.addInstance('blue', blue.address);
    await world.setRoute('app.deploy.localhost', 'blue');
    gateway = await world.startGateway(NO_PERIODIC_RESYNC);
  });
  afterAll(async () => {
    await world.close();
    await Promise.all([blue.close(), green.close()]);
  });

  it('serves the new deployment (whose instances it loads on demand) once the change is published', async () => {
    expect((await send(gateway.port, 'app.deploy.localhost')).body).toBe('blue');
    // Deployed after the gateway's full load: the table has never seen it.
    await world.addDeployment('green');
    await world.addInstance('green', green.address);
    expect(gateway.table.knowsDeployment('green')).toBe(false);

    await world.setRoute('app.deploy.localhost', 'green');
    await world.setRoute('new.deploy.localhost', 'green');
    const version = await world.publish([
      { hostname: 'app.deploy.localhost', deploymentId: 'green' },
      { hostname: 'new.deploy.localhost', deploymentId: 'green' },
    ]);
    expect(version).toBe(1);

    await eventually('app.deploy.localhost serves green', async () => (await send(gateway.port, 'app.deploy.localhost')).body === 'green');
    const reply = await send(gateway.port, 'new.deploy.localhost');
    expect(reply.body).toBe('green');
    expect(reply.headers['x-deployment-id']).toBe('green');
    expect(gateway.table.version).toBe(1);
    expect(gateway.sync.stats()).toMatchObject({ resyncs: 1, applied: 1 });
  });

  it('removes a route published with deploymentId null', async () => {
    await world.removeRoute('new.deploy.localhost');
    await world.publish([{ hostname: 'new.deploy.localhost', deploymentId: null }]);
    await eventually('new.deploy.localhost is gone', async () => (await send(gateway.port, 'new.deploy.localhost')).status === 404);
    expect((await send(gateway.port, 'app.deploy.localhost')).body).toBe('green');
    expect(gateway.sync.stats()).toMatchObject({ resyncs: 1, applied: 2 });
  });

  it('ignores a replayed event it already applied', async () => {
    const before = gateway.sync.stats();
    await world.redis.publish(
      `${world.prefix}:routes`,
      JSON.stringify({ version: 1, projectId: 'p1', routes: [{ hostname: 'app.deploy.localhost', deploymentId: 'blue' }] }),
    );
    await eventually('the replay was seen', async () => gateway.sync.stats().stale === before.stale + 1);
    expect((await send(gateway.port, 'app.deploy.localhost')).body).toBe('green');
    expect(gateway.table.version).toBe(2);
  });
});
