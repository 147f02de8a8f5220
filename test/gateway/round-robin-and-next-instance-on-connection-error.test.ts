import { freePort } from '../../src/services/free-port';
import type { GatewayService } from '../../src/gateway';
import { openRoutingWorld, RoutingWorld, send, startUpstream, Upstream } from './gateway-fixture';

describe('gateway: round robin over instances', () => {
  let world: RoutingWorld;
  let gateway: GatewayService;
  let a: Upstream;
  let b: Upstream;
  let c: Upstream;
  beforeAll(async () => {
    world = await openRoutingWorld();
    [a, b, c] = await Promise.all([startUpstream('a'), startUpstream('b'), startUpstream('c')]);
    const refusing = `127.0.0.1:${await freePort()}`;
    await world.addDeployment('two');
    await world.addInstance('two', a.address);
    await world.addInstance('two', b.address);
    await world.addDeployment('with-dead');
    await world.addInstance('with-dead', refusing);
    await world.addInstance('with-dead', c.address);
    await world.addInstance('with-dead', `127.0.0.1:${await freePort()}`);
    await world.setRoute('two.deploy.localhost', 'two');
    await world.setRoute('dead.deploy.localhost', 'with-dead');
    gateway = await world.startGateway(60_000);
  });
  afterAll(async () => {
    await world.close();
    await Promise.all([a, b, c].map((u) => u.close()));
  });

  it('alternates between the running instances', async () => {
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) bodies.push((await send(gateway.port, 'two.deploy.localhost')).body);
    expect(new Set(bodies)).toEqual(new Set(['a', 'b']));
    for (let i = 1; i < bodies.length; i++) expect(bodies[i]).not.toBe(bodies[i - 1]);
  });

  it('tries the next instance when one refuses the connection, so every request succeeds', async () => {
    for (let i = 0; i < 6; i++) {
      const reply = await send(gateway.port, 'dead.deploy.localhost');
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('c');
      expect(reply.headers['x-deployment-id']).toBe('with-dead');
    }
  });

  it('hands the whole request body to the instance it falls back to', async () => {
    c.requests.length = 0;
    const body = Buffer.alloc(256 * 1024, 7);
    for (let i = 0; i < 3; i++) {
      const reply = await send(gateway.port, 'dead.deploy.localhost', { method: 'POST', body });
      expect(reply.status).toBe(200);
    }
    expect(c.requests.map((r) => r.bodyBytes)).toEqual([body.length, body.length, body.length]);
  });
});
