import net from 'node:net';
import { startGateway, RunningGateway } from '../../src/gateway/gateway-server';
import { RouteTable } from '../../src/gateway/route-table';
import { startUpstream, Upstream } from './gateway-fixture';

const HOST = 'app.deploy.localhost';
const HEADERS_TIMEOUT_MS = 500;

/** A raw connection to the gateway, recording what came back and whether the gateway closed it. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const state = { received: '', closed: false };
  socket.on('data', (chunk: Buffer) => (state.received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => (state.closed = true));
  return { socket, state };
}

async function until(check: () => boolean, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}

/**
 * The gateway turns Node's request timeout off (an upload may take as long as it takes), and with it, before, the
 * headers timeout: a client sending one header line every few seconds held its connection, and a descriptor, for ever.
 */
describe('gateway: a client that never finishes its request head', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  const open: net.Socket[] = [];
  const table = new RouteTable();
  beforeAll(async () => {
    upstream = await startUpstream('app', (req, res) => {
      let size = 0;
      req.on('data', (c: Buffer) => (size += c.length));
      req.on('end', () => res.end(`read ${size}`));
    });
    table.replace({ routes: [{ hostname: HOST, deploymentId: 'd1' }], instances: { d1: [upstream.address] } }, 0);
    gateway = await startGateway({ port: 0, table, headersTimeoutMs: HEADERS_TIMEOUT_MS });
  });
  afterAll(async () => {
    for (const socket of open) socket.destroy();
    await gateway.close();
    await upstream.close();
  });

  it('is cut off once the headers timeout passed, however steadily it trickles header lines', async () => {
    const { socket, state } = connect(gateway.port);
    open.push(socket);
    socket.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n`);
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
    try {
      // The bound is generous (Node checks the deadline periodically); without a headers timeout it never closes.
      expect(await until(() => state.closed, 10 * HEADERS_TIMEOUT_MS)).toBe(true);
    } finally {
      clearInterval(trickle);
    }
    expect(state.received).not.toContain('200 OK');
  });

  it('is cut off when it sends nothing at all', async () => {
    const { socket, state } = connect(gateway.port);
    open.push(socket);
    expect(await until(() => state.closed, 10 * HEADERS_TIMEOUT_MS)).toBe(true);
  });

  it('does not limit the body: an upload that takes several times the headers timeout is forwarded whole', async () => {
    const { socket, state } = connect(gateway.port);
    open.push(socket);
    const chunks = 8;
    socket.write(`POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: ${chunks * 1024}\r\nConnection: close\r\n\r\n`);
    for (let i = 0; i < chunks; i++) {
      await new Promise((r) => setTimeout(r, HEADERS_TIMEOUT_MS / 2));
      socket.write(Buffer.alloc(1024, 0x61));
    }
    expect(await until(() => state.closed, 10 * HEADERS_TIMEOUT_MS)).toBe(true);
    expect(state.received).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(state.received).toContain(`read ${chunks * 1024}`);
  });
});
