import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSteadyLoad } from '../support/steady-load';

/**
 * The load generator the release tests rely on: open-loop (its rate does not fall when answers are slow), one cookie
 * jar per simulated client (a cookie set for one client comes back from that client only), and a sample per answer
 * naming the deployment that answered.
 */
describe('steady load', () => {
  let server: http.Server;
  let url: string;
  let nextCookie = 0;
  /** For each request: the Host it carried and the cookie it sent back. */
  const seen: Array<{ host: string | undefined; cookie: string | undefined }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ host: req.headers.host, cookie: req.headers.cookie });
      const headers: http.OutgoingHttpHeaders = { 'x-deployment-id': req.url === '/slow' ? 'slow' : 'dep_a' };
      // A client without our cookie gets one of its own, as a sticky gateway would set it.
      if (!req.headers.cookie?.includes('side=')) headers['set-cookie'] = [`side=c${++nextCookie}; Path=/; HttpOnly; SameSite=Lax`];
      const answer = () => {
        res.writeHead(req.url === '/fail' ? 500 : 200, headers);
        res.end('ok');
      };
      if (req.url === '/slow') setTimeout(answer, 300);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives every client its own cookie and sends it back on each later request', async () => {
    seen.length = 0;
    const load = startSteadyLoad({ url, host: 'app.example.test', rps: 100, clients: 5 });
    await new Promise((r) => setTimeout(r, 1_500));
    await load.stop();
    // One cookie per client: five clients, five cookies set (a client never asked again without its cookie).
    expect(nextCookie).toBe(5);
    expect(seen.every((s) => s.host === 'app.example.test')).toBe(true);
    const samples = load.samples;
    expect(samples.length).toBeGreaterThan(50);
    expect(new Set(samples.map((s) => s.client))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(samples.every((s) => s.status === 200 && s.deploymentId === 'dep_a')).toBe(true);
    // Only each client's first request came without a cookie; later ones carry that client's own (a shared jar
    // would send one cookie for all, no jar a new cookie each time): five cookies, each on about a fifth.
    const withCookie = seen.filter((s) => s.cookie !== undefined);
    expect(withCookie.length).toBe(seen.length - 5);
    const perCookie = new Map<string, number>();
    for (const s of withCookie) {
      const cookie = /side=(c\d+)/.exec(s.cookie!)![1];
      perCookie.set(cookie, (perCookie.get(cookie) ?? 0) + 1);
    }
    expect(perCookie.size).toBe(5);
    for (const count of perCookie.values()) expect(count).toBeGreaterThan(withCookie.length / 10);
  });

  it('keeps its rate when the answers are slow (open loop), recording every answer', async () => {
    const load = startSteadyLoad({ url, host: 'app.example.test', rps: 50, clients: 2, path: '/slow' });
    await new Promise((r) => setTimeout(r, 2_000));
    const stopping = Date.now();
    await load.stop();
    // Only the last ~300 ms of requests were still in flight.
    expect(Date.now() - stopping).toBeLessThan(2_000);
    // Two clients waiting 300 ms per answer would manage ~13 requests in 2 s closed-loop; open loop sends ~100.
    console.log(`steady load: ${load.samples.length} answers in 2 s at 50 rps requested, answers 300 ms late`);
    expect(load.samples.length).toBeGreaterThan(60);
    expect(load.samples.length).toBeLessThan(130);
    expect(load.samples.every((s) => s.deploymentId === 'slow' && s.status === 200)).toBe(true);
  });

  it('records failed answers with their status and a refused connection as status 0', async () => {
    const failing = startSteadyLoad({ url, host: 'x', rps: 40, clients: 2, path: '/fail' });
    await new Promise((r) => setTimeout(r, 300));
    await failing.stop();
    expect(failing.samples.length).toBeGreaterThan(3);
    expect(failing.samples.every((s) => s.status === 500)).toBe(true);

    const refused = startSteadyLoad({ url: 'http://127.0.0.1:1', host: 'x', rps: 40, clients: 2 });
    await new Promise((r) => setTimeout(r, 300));
    await refused.stop();
    expect(refused.samples.length).toBeGreaterThan(0);
    expect(refused.samples.every((s) => s.status === 0 && s.deploymentId === null)).toBe(true);
  });
});
