import { startGateway, RunningGateway } from '../../src/gateway/gateway-server';
import { RouteTable } from '../../src/gateway/route-table';
import { send, startUpstream, Upstream } from './gateway-fixture';

const HOST = 'app.deploy.localhost';

/**
 * A 101 Switching Protocols to a request that asked for no upgrade is the instance's answer, however wrong. undici
 * reports it as a socket failure, and the gateway took it for a pooled connection found dead: it sent the request
 * again (the app saw it twice) and answered 502 "no running instance … accepted the connection".
 */
describe('gateway: an instance that answers a plain request with 101 Switching Protocols', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  let seen = 0;
  const table = new RouteTable();
  beforeAll(async () => {
    upstream = await startUpstream('app', (_req, res) => {
      seen++;
      res.socket!.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
    table.replace({ routes: [{ hostname: HOST, deploymentId: 'd1' }], instances: { d1: [upstream.address] } }, 0);
    gateway = await startGateway({ port: 0, table });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('answers 502 upstream_error saying the answer was invalid, and delivers the request once', async () => {
    const reply = await send(gateway.port, HOST);
    expect(reply.status).toBe(502);
    expect(reply.headers['x-deployment-id']).toBe('d1');
    const { error } = JSON.parse(reply.body);
    expect(error.code).toBe('upstream_error');
    expect(error.message).toBe('instance of deployment d1 answered with an invalid response (bad upgrade)');
    expect(seen).toBe(1);
  });
});
