import http from 'node:http';
import net from 'node:net';
import { startGateway } from '../../src/gateway/gateway-server';
import { RouteTable } from '../../src/gateway/route-table';

function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', headers: { host: 'app.deploy.localhost' }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      })
      .on('error', reject);
  });
}

describe('a pooled connection the only instance closed', () => {
  it('is retried on a new connection to the same instance instead of answering 502', async () => {
    // Serves one request per connection and resets a connection reused for a second one: what a Node app does when
    // its keep-alive timeout fires just as the proxy reuses the socket.
    const app = net.createServer((socket) => {
      let served = 0;
      socket.on('data', () => {
        if (served++ === 0) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
        else socket.resetAndDestroy();
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appPort = (app.address() as net.AddressInfo).port;
    const table = new RouteTable();
    table.replace({ routes: [{ hostname: 'app.deploy.localhost', deploymentId: 'dep_a' }], instances: { dep_a: [`127.0.0.1:${appPort}`] } }, 1);
    const gateway = await startGateway({ port: 0, table });
    try {
      expect([await get(gateway.port), await get(gateway.port), await get(gateway.port)]).toEqual([200, 200, 200]);
    } finally {
      await gateway.close();
      app.close();
    }
  });
});
