import { GatewayFleet, startGatewayProcesses } from '../../src/gateway';
import { startGateway, RunningGateway } from '../../src/gateway/gateway-server';
import { RouteTable } from '../../src/gateway/route-table';
import { namesASharedDomain } from '../../src/gateway/shared-cookie-domain';
import { openRoutingWorld, RoutingWorld, send, startUpstream, Upstream } from './gateway-fixture';

const APEX = 'deploy.localhost';
const HOST = `shop-acme.${APEX}`;

/**
 * Every generated hostname is `<project>-<workspace>.<apex>`: a cookie an app sets with `Domain=<apex>` (or a parent)
 * is sent by browsers to every other tenant's app and can shadow their cookies. The gateway passed it on.
 */
describe('gateway: cookies an app sets for a domain every tenant shares', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  const table = new RouteTable();
  const cookies = [
    'host_only=1; Path=/; HttpOnly',
    `own_host=2; Domain=${HOST}; Path=/`,
    `apex=3; Domain=${APEX}; Path=/`,
    'apex_dotted_upper=4; Path=/; domain=.Deploy.LOCALHOST',
    'parent=5; Domain=localhost',
    'custom=6; Domain=example.com; Secure',
    'value_says_domain=domain=deploy.localhost; Path=/',
  ];
  beforeAll(async () => {
    upstream = await startUpstream('app', (_req, res) => {
      res.setHeader('set-cookie', cookies);
      res.end('ok');
    });
    table.replace({ routes: [{ hostname: HOST, deploymentId: 'd1' }], instances: { d1: [upstream.address] } }, 0);
    gateway = await startGateway({ port: 0, table, apex: APEX });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('drops those for the apex domain or a parent of it, and passes the app its own and a custom domain\'s', async () => {
    const reply = await send(gateway.port, HOST);
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('ok');
    expect(reply.headers['set-cookie']).toEqual([cookies[0], cookies[1], cookies[5], cookies[6]]);
  });

  it.each([
    ['no attributes', 'a=1', false],
    ['an empty Domain', 'a=1; Domain=', false],
    ['the apex with spaces around', 'a=1;  Domain = deploy.localhost ; Path=/', true],
    ['a sibling of the apex', 'a=1; Domain=other.localhost', false],
    ['a domain that only ends like the apex', 'a=1; Domain=mydeploy.localhost', false],
    ['a later Domain attribute naming the apex', `a=1; Domain=${HOST}; Domain=${APEX}`, true],
  ])('reads %s as it should', (_what, setCookie, shared) => {
    expect(namesASharedDomain(setCookie, APEX)).toBe(shared);
  });
});

/** The apex reaches the gateway's worker processes too, as `npm start` runs them (one per core). */
describe('gateway worker processes: cookies for the shared apex domain', () => {
  let world: RoutingWorld;
  let upstream: Upstream;
  let gateway: GatewayFleet;
  beforeAll(async () => {
    world = await openRoutingWorld();
    upstream = await startUpstream('app', (_req, res) => {
      res.setHeader('set-cookie', ['mine=1', `shared=2; Domain=${APEX}`]);
      res.end('ok');
    });
    await world.addDeployment('d1');
    await world.addInstance('d1', upstream.address);
    await world.setRoute(HOST, 'd1');
    gateway = await startGatewayProcesses({ redisUrl: world.redisUrl, prefix: world.prefix, prisma: world.prisma, port: 0, processes: 2, apex: APEX });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await upstream.close();
    await world.close();
  });

  it('are dropped by every process', async () => {
    // New connections reach both processes (the stats say which served how many).
    for (let i = 0; i < 20; i++) {
      const reply = await send(gateway.port, HOST);
      expect(reply.status).toBe(200);
      expect(reply.headers['set-cookie']).toEqual(['mine=1']);
    }
    const served = (await gateway.stats()).map((s) => s.served);
    expect(served.reduce((a, b) => a + b, 0)).toBe(20);
  });
});
