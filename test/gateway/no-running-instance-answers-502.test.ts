import { freePort } from '../../src/services/free-port';
import type { GatewayService } from '../../src/gateway';
import { openRoutingWorld, RoutingWorld, send, startUpstream, Upstream } from './gateway-fixture';

describe('gateway: no instance to serve a known host', () => {
  let world: RoutingWorld;
  let gateway: GatewayService;
  let notRunning: Upstream;
  beforeAll(async () => {
    world = await openRoutingWorld();
    notRunning = await startUpstream('not-running');
    await world.addDeployment('idle');
    await world.addInstance('idle', notRunning.address, 'pending');
    await world.addInstance('idle', notRunning.address, 'stopped');
    await world.addDeployment('refusing');
    await world.addInstance('refusing', `127.0.0.1:${await freePort()}`);
    await world.addInstance('refusing', `127.0.0.1:${await freePort()}`);
    await world.setRoute('idle.deploy.localhost', 'idle');
    await world.setRoute('refusing.deploy.localhost', 'refusing');
    gateway = await world.startGateway(60_000);
  });
  afterAll(async () => {
    await world.close();
    await notRunning.close();
  });

  it('answers 502 no_instance when the deployment has no running instance', async () => {
    const reply = await send(gateway.port, 'idle.deploy.localhost');
    expect(reply.status).toBe(502);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.headers['x-deployment-id']).toBe('idle');
    const body = JSON.parse(reply.body);
    expect(body.error.code).toBe('no_instance');
    expect(body.error.message).toContain('idle');
    expect(notRunning.requests).toHaveLength(0);
  });

  it('answers 502 no_instance when every instance refuses the connection', async () => {
    const reply = await send(gateway.port, 'refusing.deploy.localhost', { method: 'POST', body: 'payload' });
    expect(reply.status).toBe(502);
    expect(reply.headers['x-deployment-id']).toBe('refusing');
    expect(JSON.parse(reply.body).error.code).toBe('no_instance');
  });
});
