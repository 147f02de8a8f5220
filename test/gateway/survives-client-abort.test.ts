import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayService } from '../../src/gateway';
import { eventually, openRoutingWorld, RoutingWorld, send, startUpstream, Upstream } from './gateway-fixture';

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  bytesIn: number;
  closedEarly: boolean;
}

describe('gateway: a client that goes away', () => {
  let world: RoutingWorld;
  let gateway: GatewayService;
  let upstream: Upstream;
  let healthy: Upstream;
  const exchanges: Exchange[] = [];
  beforeAll(async () => {
    world = await openRoutingWorld();
    // Never finishes on its own: /stream sends part of a body, /hang sends nothing, anything else reads the body.
    upstream = await startUpstream('slow', (req, res) => {
      const exchange: Exchange = { req, res, bytesIn: 0, closedEarly: false };
      exchanges.push(exchange);
      req.on('data', (c: Buffer) => (exchange.bytesIn += c.length));
      res.on('close', () => (exchange.closedEarly = !res.writableFinished));
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(Buffer.alloc(64 * 1024, 1));
      }
    });
    healthy = await startUpstream('healthy');
    await world.addDeployment('slow');
    await world.addInstance('slow', upstream.address);
    await world.addDeployment('healthy');
    await world.addInstance('healthy', healthy.address);
    await world.setRoute('slow.deploy.localhost', 'slow');
    await world.setRoute('healthy.deploy.localhost', 'healthy');
    gateway = await world.startGateway(60_000);
  });
  afterAll(async () => {
    await world.close();
    await Promise.all([upstream.close(), healthy.close()]);
  });

  function open(path: string, headers: Record<string, string> = {}): http.ClientRequest {
    const req = http.request({ host: '127.0.0.1', port: gateway.port, method: 'POST', path, agent: false, headers: { host: 'slow.deploy.localhost', ...headers } });
    req.on('error', () => undefined);
    return req;
  }

  async function stillServes(): Promise<void> {
    const reply = await send(gateway.port, 'healthy.deploy.localhost');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('healthy');
  }

  it('cuts the upstream exchange when the client aborts mid-upload', async () => {
    const req = open('/upload', { 'content-length': String(10 * 1024 * 1024) });
    req.write(Buffer.alloc(256 * 1024, 2));
    await eventually('the upstream got part of the body', async () => exchanges.length === 1 && exchanges[0].bytesIn > 0);
    req.destroy();
    await eventually('the upstream saw the exchange end early', async () => exchanges[0].closedEarly);
    await stillServes();
  });

  it('cuts the upstream exchange when the client aborts while waiting for the answer', async () => {
    const req = open('/hang');
    req.end('x');
    await eventually('the upstream got the request', async () => exchanges.length === 2 && exchanges[1].bytesIn === 1);
    req.destroy();
    await eventually('the upstream saw the exchange end early', async () => exchanges[1].closedEarly);
    await stillServes();
  });

  it('cuts the upstream exchange when the client aborts mid-download', async () => {
    const req = open('/stream');
    const gotBytes = new Promise<void>((resolve) => req.on('response', (res) => res.once('data', () => resolve())));
    req.end();
    await gotBytes;
    req.destroy();
    await eventually('the upstream saw the exchange end early', async () => exchanges.length === 3 && exchanges[2].closedEarly);
    await stillServes();
  });
});
