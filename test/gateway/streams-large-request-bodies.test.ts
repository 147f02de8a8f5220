import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { GatewayService } from '../../src/gateway';
import { eventually, openRoutingWorld, RoutingWorld, startUpstream, Upstream } from './gateway-fixture';

const MiB = 1024 * 1024;

describe('gateway: request bodies stream through', () => {
  let world: RoutingWorld;
  let gateway: GatewayService;
  let sink: Upstream;
  let received = 0;
  beforeAll(async () => {
    world = await openRoutingWorld();
    // Counts bytes as they arrive, so the test can see the upload while it is still going on.
    sink = await startUpstream('sink', (req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        received += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ bytes, sha256: hash.digest('hex'), contentLength: req.headers['content-length'] ?? null }));
      });
    });
    await world.addDeployment('d1');
    await world.addInstance('d1', sink.address);
    await world.setRoute('upload.deploy.localhost', 'd1');
    gateway = await world.startGateway(60_000);
  });
  afterAll(async () => {
    await world.close();
    await sink.close();
  });

  async function upload(total: number, headers: Record<string, string>): Promise<{ sent: string; reply: { bytes: number; sha256: string; contentLength: string | null } }> {
    received = 0;
    const hash = createHash('sha256');
    let replyBody = '';
    const req = http.request({ host: '127.0.0.1', port: gateway.port, method: 'PUT', path: '/upload', agent: false, headers: { host: 'upload.deploy.localhost', ...headers } });
    const replied = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => (replyBody += c));
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
    let written = 0;
    while (written < total) {
      const chunk = randomBytes(Math.min(MiB, total - written));
      hash.update(chunk);
      req.write(chunk);
      written += chunk.length;
      // A proxy that buffered the request would hold these bytes back until the upload ended.
      const expected = written;
      await eventually(`the upstream received ${expected} bytes before the upload ended`, async () => received === expected);
    }
    req.end();
    expect(await replied).toBe(200);
    return { sent: hash.digest('hex'), reply: JSON.parse(replyBody) };
  }

  it('pipes a 20 MiB upload to the instance as it arrives, byte for byte', async () => {
    const total = 20 * MiB;
    const { sent, reply } = await upload(total, { 'content-length': String(total) });
    expect(reply).toEqual({ bytes: total, sha256: sent, contentLength: String(total) });
  });

  it('pipes a chunked upload of unknown length the same way', async () => {
    const total = 3 * MiB + 123;
    const { sent, reply } = await upload(total, { 'transfer-encoding': 'chunked' });
    expect(reply).toEqual({ bytes: total, sha256: sent, contentLength: null });
  });
});
