import type { GatewayService } from '../../src/gateway';
import { openRoutingWorld, RoutingWorld, send, startUpstream, Upstream } from './gateway-fixture';

describe('gateway: unknown host', () => {
  let world: RoutingWorld;
  let gateway: GatewayService;
  let upstream: Upstream;
  beforeAll(async () => {
    world = await openRoutingWorld();
    upstream = await startUpstream('known');
    await world.addDeployment('d1');
    await world.addInstance('d1', upstream.address);
    await world.setRoute('app.deploy.localhost', 'd1');
    gateway = await world.startGateway(60_000);
  });
  afterAll(async () => {
    await world.close();
    await upstream.close();
  });

  it('answers 404 with a JSON error naming the host, and forwards nothing', async () => {
    const reply = await send(gateway.port, 'Nope.Deploy.Localhost:8080', { path: '/x?y=1' });
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(reply.body)).toEqual({ error: { code: 'unknown_host', message: 'no route for host nope.deploy.localhost' } });
    expect(reply.headers['x-deployment-id']).toBeUndefined();
    expect(upstream.requests).toHaveLength(0);
  });

  it('answers 404 for a host whose route was only a prefix or suffix match', async () => {
    for (const host of ['app.deploy.localhost.evil', 'x-app.deploy.localhost', 'deploy.localhost']) {
      const reply = await send(gateway.port, host);
      expect(reply.status).toBe(404);
      expect(JSON.parse(reply.body).error.code).toBe('unknown_host');
    }
    expect(upstream.requests).toHaveLength(0);
  });
});
