import { GatewayFleet, startGatewayProcesses } from '../../src/gateway';
import { eventually, openBlueGreenWorld, BlueGreen, send } from './gateway-fixture';

const HOST = 'app.deploy.localhost';
// The periodic resync is an hour away: only the published change can move traffic here.
const NO_PERIODIC_RESYNC = 3_600_000;
const REQUESTS = 24;

/** Each request on a new connection: the processes accept new connections from the shared socket, each taking some. */
async function askMany(port: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const reply = await send(port, HOST);
    expect(reply.status).toBe(200);
    expect(reply.headers['x-deployment-id']).toBe(reply.body);
    bodies.push(reply.body);
  }
  return bodies;
}

async function servedByPid(gateway: GatewayFleet): Promise<Map<number, number>> {
  return new Map((await gateway.stats()).map((s) => [s.pid, s.served]));
}

describe('gateway with several processes sharing the port', () => {
  let bg: BlueGreen;
  let gateway: GatewayFleet;
  beforeAll(async () => {
    bg = await openBlueGreenWorld();
    await bg.world.setRoute(HOST, 'blue');
    gateway = await startGatewayProcesses({ redisUrl: bg.world.redisUrl, prefix: bg.world.prefix, prisma: bg.world.prisma, port: 0, processes: 2, resyncMs: NO_PERIODIC_RESYNC });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await bg.close();
  });

  it('runs two processes, each serving from its own route table', async () => {
    expect(gateway.processes).toBe(2);
    const stats = await gateway.stats();
    expect(stats).toHaveLength(2);
    expect(new Set(stats.map((s) => s.pid)).size).toBe(2);
    for (const s of stats) {
      expect(s.pid).not.toBe(process.pid);
      expect(s.loaded).toBe(true);
      expect(s.routes).toBe(1);
    }
    expect(await askMany(gateway.port)).toEqual(Array(REQUESTS).fill('blue'));
    for (const served of (await servedByPid(gateway)).values()) expect(served).toBeGreaterThan(0);
  });

  it('has every process apply a published change, after which none of them answers from the old deployment', async () => {
    const before = await servedByPid(gateway);
    await bg.world.setRoute(HOST, 'green');
    const version = await bg.world.publish([{ hostname: HOST, deploymentId: 'green' }]);
    // Each process acknowledges by the version it reports: once it is there, that process routes by the change.
    await eventually('every gateway process applied the change', async () => {
      const stats = await gateway.stats();
      return stats.length === 2 && stats.every((s) => s.version >= version);
    });
    for (const s of await gateway.stats()) expect(s.sync).toMatchObject({ resyncs: 1, applied: 1 });

    expect(await askMany(gateway.port)).toEqual(Array(REQUESTS).fill('green'));
    const after = await servedByPid(gateway);
    for (const [pid, served] of after) expect(served).toBeGreaterThan(before.get(pid) ?? 0);
  });

  it('loads a deployment it has never seen through the primary, when a change routes to it', async () => {
    await bg.world.addDeployment('late');
    await bg.world.addInstance('late', bg.blue.address);
    await bg.world.setRoute('late.deploy.localhost', 'late');
    const version = await bg.world.publish([{ hostname: 'late.deploy.localhost', deploymentId: 'late' }]);
    await eventually('every gateway process applied the change', async () => (await gateway.stats()).every((s) => s.version >= version));
    for (let i = 0; i < 6; i++) {
      const reply = await send(gateway.port, 'late.deploy.localhost');
      expect(reply.status).toBe(200);
      expect(reply.headers['x-deployment-id']).toBe('late');
      expect(reply.body).toBe('blue');
    }
  });

  it('forks a new process when one dies, and the new one serves the current routes', async () => {
    const [victim, survivor] = (await gateway.stats()).map((s) => s.pid);
    process.kill(victim, 'SIGKILL');
    await eventually('a new process replaced the killed one', async () => {
      const pids = (await gateway.stats()).map((s) => s.pid);
      return pids.length === 2 && pids.includes(survivor) && !pids.includes(victim);
    }, 90_000);
    const fresh = (await gateway.stats()).find((s) => s.pid !== survivor)!;
    expect(fresh).toMatchObject({ loaded: true, routes: 2 });
    expect(await askMany(gateway.port)).toEqual(Array(REQUESTS).fill('green'));
    expect((await servedByPid(gateway)).get(fresh.pid)).toBeGreaterThan(0);
  }, 120_000);

  it('stops every worker process on close', async () => {
    const pids = (await gateway.stats()).map((s) => s.pid);
    await gateway.close();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
