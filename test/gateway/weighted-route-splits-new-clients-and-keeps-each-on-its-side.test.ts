import type { GatewayService } from '../../src/gateway';
import { BlueGreen, eventually, openBlueGreenWorld, startUpstream, Upstream } from './gateway-fixture';
import { ask, askMany, closeAgent, cookiePair, setCanary, WeightedReply } from './weighted-route-fixture';

const HOST = 'shop.deploy.localhost';
const PLAIN = 'plain.deploy.localhost';
// Only published changes and explicit reloads move traffic here.
const NO_PERIODIC_RESYNC = 3_600_000;
const NEW_CLIENTS = 2_000;

const share = (replies: WeightedReply[], deploymentId: string) => replies.filter((r) => r.deploymentId === deploymentId).length / replies.length;

/**
 * A weighted hostname (stable `blue`, canary `green`) through a real gateway to real instances: new clients are dealt
 * the canary with probability weight/100, each gets a `df_canary` cookie naming its side, and a client that presents
 * the cookie of the current canary stays on its side for every later request, across weight changes. A cookie of
 * another canary, or anything malformed, is ignored (and replaced); a plain route never sets a cookie.
 */
describe('a weighted route in the gateway', () => {
  let bg: BlueGreen;
  let gateway: GatewayService;
  let late: Upstream;
  beforeAll(async () => {
    bg = await openBlueGreenWorld();
    late = await startUpstream('late');
    await bg.world.setRoute(HOST, 'blue');
    await bg.world.setRoute(PLAIN, 'blue');
    await setCanary(bg, HOST, { deploymentId: 'green', weight: 25 });
    gateway = await bg.world.startGateway(NO_PERIODIC_RESYNC);
  }, 60_000);
  afterAll(async () => {
    closeAgent();
    await bg?.close();
    await late?.close();
  });

  async function publishWeight(deploymentId: string, weight: number) {
    await setCanary(bg, HOST, { deploymentId, weight });
    const version = await bg.world.publish([{ hostname: HOST, deploymentId: 'blue', canary: { deploymentId, weight } }]);
    await eventually('the gateway applied the weight change', async () => gateway.table.version >= version);
  }

  it('sends about the requested share of new clients to the canary and tells each its side in a cookie; a plain route never sets one', async () => {
    const replies = await askMany(NEW_CLIENTS, 16, () => ask(gateway.port, HOST));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const served = share(replies, 'green');
    console.log(`weighted route: requested 25% canary, served ${(served * 100).toFixed(1)}% of ${NEW_CLIENTS} new clients`);
    expect(Math.abs(served - 0.25)).toBeLessThan(0.04);
    for (const reply of replies) {
      expect(reply.body).toBe(reply.deploymentId);
      expect(reply.setCookie).toHaveLength(1);
      const [pair, ...attributes] = reply.setCookie![0].split('; ');
      expect(pair).toBe(`df_canary=green.${reply.deploymentId === 'green' ? 'c' : 's'}`);
      expect(attributes.sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Lax']);
    }
    // The same gateway, a plain hostname: no cookie, even for a client that presents one.
    const plain = await askMany(50, 5, (i) => ask(gateway.port, PLAIN, i % 2 ? 'df_canary=green.c' : undefined));
    for (const reply of plain) {
      expect(reply.deploymentId).toBe('blue');
      expect(reply.setCookie).toBeUndefined();
    }
  });

  it('keeps a client with the cookie on its side for every request, also after the weight changes', async () => {
    const clients = await askMany(40, 8, () => ask(gateway.port, HOST));
    const sides = clients.map((r) => ({ cookie: cookiePair(r)!, side: r.deploymentId! }));
    expect(new Set(sides.map((s) => s.side))).toEqual(new Set(['blue', 'green']));
    const keepsItsSide = async () => {
      for (const { cookie, side } of sides) {
        const replies = await askMany(25, 5, () => ask(gateway.port, HOST, `theme=dark; ${cookie}; lang=en`));
        expect(replies.map((r) => r.deploymentId)).toEqual(Array(25).fill(side));
        // The client already has its cookie: it is not set again.
        expect(replies.every((r) => r.setCookie === undefined)).toBe(true);
      }
    };
    await keepsItsSide();
    await publishWeight('green', 75);
    await keepsItsSide();
    // New clients follow the new weight.
    const fresh = await askMany(800, 16, () => ask(gateway.port, HOST));
    const served = share(fresh, 'green');
    console.log(`weighted route: requested 75% canary, served ${(served * 100).toFixed(1)}% of 800 new clients`);
    expect(Math.abs(served - 0.75)).toBeLessThan(0.07);
    await publishWeight('green', 25);
  });

  it('ignores and replaces the cookie of another canary, and never breaks a request on a malformed or forged cookie', async () => {
    const forged = [
      'df_canary=other.c',
      'df_canary=green.x',
      'df_canary=green.c.c',
      'df_canary=',
      'df_canary',
      `df_canary=${'g'.repeat(10_000)}`,
      'x_df_canary=green.c',
      '=;;;=; df_canary;=',
      'df_canary="green.c',
      '\u00e9t\u00e9=\u00ff; df_canary=gr%65en.c',
    ];
    for (const cookie of forged) {
      const replies = await askMany(30, 5, () => ask(gateway.port, HOST, cookie));
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        expect(['blue', 'green']).toContain(reply.deploymentId);
        expect(cookiePair(reply)).toBe(`df_canary=green.${reply.deploymentId === 'green' ? 'c' : 's'}`);
      }
    }
    // The second of two cookies with the name is not read; the first decides (as browsers send the most specific first).
    const twice = await ask(gateway.port, HOST, 'df_canary=green.c; df_canary=green.s');
    expect(twice.deploymentId).toBe('green');
  });

  it('keeps the weights across a full reload, and a gateway started afresh loads them from the database', async () => {
    expect(await gateway.sync.resync()).toBe(true);
    expect(gateway.table.lookup(HOST)?.canary).toMatchObject({ deploymentId: 'green', weight: 25 });
    expect((await ask(gateway.port, HOST, 'df_canary=green.c')).deploymentId).toBe('green');

    const fresh = await bg.world.startGateway(NO_PERIODIC_RESYNC);
    const replies = await askMany(1_000, 16, () => ask(fresh.port, HOST));
    const served = share(replies, 'green');
    console.log(`weighted route after a fresh load: requested 25% canary, served ${(served * 100).toFixed(1)}% of 1000 new clients`);
    expect(Math.abs(served - 0.25)).toBeLessThan(0.06);
  });

  it('loads the instances of a canary it has never seen when a change makes it the canary; a message without a canary makes the route plain', async () => {
    await bg.world.addDeployment('late');
    await bg.world.addInstance('late', late.address);
    expect(gateway.table.knowsDeployment('late')).toBe(false);
    await publishWeight('late', 50);
    const reply = await ask(gateway.port, HOST, 'df_canary=late.c');
    expect(reply).toMatchObject({ status: 200, deploymentId: 'late', body: 'late' });
    // The green cookie names a canary that is no longer this route's: the client is dealt a side anew.
    const replaced = await ask(gateway.port, HOST, 'df_canary=green.c');
    expect(cookiePair(replaced)).toMatch(/^df_canary=late\.[cs]$/);

    // A change without `canary` (as published before weighted routes, or for any plain route): the split ends, and
    // the late cookie is neither honoured nor set again.
    await setCanary(bg, HOST, null);
    const version = await bg.world.publish([{ hostname: HOST, deploymentId: 'blue' }]);
    await eventually('the gateway applied the change', async () => gateway.table.version >= version);
    const replies = await askMany(40, 8, () => ask(gateway.port, HOST, 'df_canary=late.c'));
    expect(replies.every((r) => r.deploymentId === 'blue' && r.setCookie === undefined)).toBe(true);
  });
});
