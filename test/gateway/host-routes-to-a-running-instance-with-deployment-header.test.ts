import type { GatewayService } from '../../src/gateway';
import { openRoutingWorld, RoutingWorld, send, startUpstream, Upstream } from './gateway-fixture';

describe('gateway: routing by Host header', () => {
  let world: RoutingWorld;
  let gateway: GatewayService;
  let running: Upstream;
  let stopped: Upstream;
  let other: Upstream;
  beforeAll(async () => {
    world = await openRoutingWorld();
    [running, stopped, other] = await Promise.all([startUpstream('running'), startUpstream('stopped'), startUpstream('other')]);
    await world.addDeployment('d1');
    await world.addDeployment('d2');
    await world.addInstance('d1', running.address, 'running');
    await world.addInstance('d1', stopped.address, 'stopped');
    await world.addInstance('d2', other.address, 'running');
    await world.setRoute('app.deploy.localhost', 'd1');
    await world.setRoute('other.deploy.localhost', 'd2');
    gateway = await world.startGateway(60_000);
  });
  afterAll(async () => {
    await world.close();
    await Promise.all([running, stopped, other].map((u) => u.close()));
  });

  it('proxies to a running instance of the routed deployment and names the deployment in x-deployment-id', async () => {
    for (let i = 0; i < 4; i++) {
      const reply = await send(gateway.port, 'app.deploy.localhost');
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('running');
      expect(reply.headers['x-deployment-id']).toBe('d1');
      expect(reply.headers['x-upstream']).toBe('running');
    }
    expect(stopped.requests).toHaveLength(0);
    const reply = await send(gateway.port, 'other.deploy.localhost');
    expect(reply.body).toBe('other');
    expect(reply.headers['x-deployment-id']).toBe('d2');
  });

  it('matches the host case-insensitively and ignores a :port suffix', async () => {
    const reply = await send(gateway.port, 'APP.Deploy.LocalHost:8080');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('running');
  });

  it('forwards method, path, query, body and headers, adds x-forwarded-*, strips hop-by-hop headers', async () => {
    running.requests.length = 0;
    const reply = await send(gateway.port, 'app.deploy.localhost:8080', {
      method: 'PATCH',
      path: '/things/42?expand=a&x=%20y',
      headers: { 'x-custom': 'kept', 'x-forwarded-for': '203.0.113.9', connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(reply.status).toBe(200);
    expect(running.requests).toHaveLength(1);
    const seen = running.requests[0];
    expect(seen.method).toBe('PATCH');
    expect(seen.url).toBe('/things/42?expand=a&x=%20y');
    expect(seen.bodyBytes).toBe(7);
    expect(seen.headers['x-custom']).toBe('kept');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers.host).toBe('app.deploy.localhost:8080');
    expect(seen.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen.headers['x-forwarded-host']).toBe('app.deploy.localhost:8080');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-drop-me']).toBeUndefined();
  });
});
