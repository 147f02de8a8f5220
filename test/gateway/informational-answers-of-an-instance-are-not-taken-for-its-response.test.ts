import { startGateway, RunningGateway } from '../../src/gateway/gateway-server';
import { RouteTable } from '../../src/gateway/route-table';
import { send, startUpstream, Upstream } from './gateway-fixture';

const HOST = 'app.deploy.localhost';

/**
 * An app may send informational answers (103 Early Hints) before its response. The gateway took the first for the
 * response's head, and the client got no response.
 */
describe('gateway: an instance that sends informational answers before its response', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  const table = new RouteTable();
  beforeAll(async () => {
    upstream = await startUpstream('app', (req, res) => {
      const informational =
        req.url === '/hints'
          ? 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n'
          : 'HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=preload\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </b.js>; rel=preload\r\n\r\n';
      res.socket!.write(informational);
      res.setHeader('content-type', 'text/plain');
      res.end(`final body of ${req.url}`);
    });
    table.replace({ routes: [{ hostname: HOST, deploymentId: 'd1' }], instances: { d1: [upstream.address] } }, 0);
    gateway = await startGateway({ port: 0, table });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it.each(['/hints', '/several'])('answers %s with the response that follows them, status, headers and body', async (path) => {
    const reply = await send(gateway.port, HOST, { path });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(reply.headers['x-deployment-id']).toBe('d1');
    expect(reply.body).toBe(`final body of ${path}`);
  });
});
