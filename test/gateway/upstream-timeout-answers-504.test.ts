import { startGateway, RunningGateway } from '../../src/gateway/gateway-server';
import { RouteTable } from '../../src/gateway/route-table';
import { send, startUpstream, Upstream } from './gateway-fixture';

describe('gateway: an instance that never answers', () => {
  let silent: Upstream;
  let gateway: RunningGateway;
  const table = new RouteTable();
  beforeAll(async () => {
    silent = await startUpstream('silent', () => undefined);
    table.replace({ routes: [{ hostname: 'silent.deploy.localhost', deploymentId: 'd1' }], instances: { d1: [silent.address] } }, 0);
    gateway = await startGateway({ port: 0, table, upstreamTimeoutMs: 300 });
  });
  afterAll(async () => {
    await gateway.close();
    await silent.close();
  });

  it('answers 504 upstream_timeout with the deployment id', async () => {
    const reply = await send(gateway.port, 'silent.deploy.localhost');
    expect(reply.status).toBe(504);
    expect(reply.headers['x-deployment-id']).toBe('d1');
    expect(JSON.parse(reply.body).error.code).toBe('upstream_timeout');
  });
});
