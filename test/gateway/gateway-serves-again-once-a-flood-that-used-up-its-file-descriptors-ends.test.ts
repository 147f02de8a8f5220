import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { GatewayFleet, startGatewayProcesses } from '../../src/gateway';
import { BlueGreen, eventually, openBlueGreenWorld, send } from './gateway-fixture';

const HOST = 'app.deploy.localhost';
/** Descriptors each gateway process may open beyond those it holds at rest: far fewer than the flood's connections. */
const HEADROOM = 60;
const FLOOD = 400;

const openDescriptors = (pid: number | 'self') => readdirSync(`/proc/${pid}/fd`).length;

/** A request on a new connection; a gateway that never answers counts as not answering after 2 s. */
async function answers(port: number): Promise<boolean> {
  const reply = await Promise.race([send(port, HOST).catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 2_000))]);
  return reply?.status === 200 && reply.body === 'blue';
}

/**
 * Clients that each open a connection and start a request they never finish, until the gateway's processes have no
 * file descriptor left (their limit lowered with prlimit, so that a few hundred connections do it), then go away.
 * Before, the primary (the control plane) accepted every connection and handed it to a worker: a worker out of
 * descriptors never acknowledged the hand-off, the primary queued every later connection for ever, and the gateway
 * answered nothing again on any host, with the control plane holding the queued sockets.
 */
describe('a flood of held connections that uses up the gateway processes\' file descriptors', () => {
  let bg: BlueGreen;
  let gateway: GatewayFleet;
  const flood: net.Socket[] = [];
  beforeAll(async () => {
    bg = await openBlueGreenWorld();
    await bg.world.setRoute(HOST, 'blue');
    gateway = await startGatewayProcesses({ redisUrl: bg.world.redisUrl, prefix: bg.world.prefix, prisma: bg.world.prisma, port: 0, processes: 2 });
  }, 120_000);
  afterAll(async () => {
    for (const socket of flood) socket.destroy();
    await gateway?.close();
    await bg.close();
  });

  it('leaves the gateway serving again once it ends, and never piles up connections in the control plane', async () => {
    expect(await answers(gateway.port)).toBe(true);
    const pids = (await gateway.stats()).map((s) => s.pid);
    expect(pids).toHaveLength(2);
    const limits = new Map(pids.map((pid) => [pid, openDescriptors(pid) + HEADROOM]));
    for (const [pid, limit] of limits) execFileSync('prlimit', ['--pid', String(pid), `--nofile=${limit}:${limit}`]);
    const atRest = openDescriptors('self');

    for (let i = 0; i < FLOOD; i++) {
      const socket = net.connect(gateway.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n`);
      flood.push(socket);
    }
    // At its limit, give or take the descriptor libuv keeps in reserve to shed connections it cannot take.
    await eventually('both gateway processes ran out of descriptors', async () => [...limits].every(([pid, limit]) => openDescriptors(pid) >= limit - 2));
    // This process holds the flood's own client sockets; beyond them, it must hold none of the gateway's.
    expect(openDescriptors('self')).toBeLessThan(atRest + FLOOD + 20);

    for (const socket of flood) socket.destroy();
    await eventually('the gateway answers again', () => answers(gateway.port), 20_000);
    for (let i = 0; i < 10; i++) expect(await answers(gateway.port)).toBe(true);
    await eventually('the control plane holds no connection of the flood', async () => openDescriptors('self') < atRest + 20);
  }, 60_000);
});
