import net from 'node:net';
import path from 'node:path';
import { createApiKey } from '../../src/auth/api-key';
import { newId } from '../../src/ids';
import { ChildService } from '../../src/services/child-service';
import { REPO_ROOT } from '../support/engine-harness';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testRedis } from '../support/test-redis';

/** Sends raw bytes on a fresh connection and returns everything the server answered until it closed. */
function rawExchange(port: number, send: (socket: net.Socket) => void): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => send(socket));
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), 5_000).unref();
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Node's HTTP parser answers a malformed chunked body with its own 400 and closes the connection; the request stream
 * then fails under the application. That is the client's mistake: a 400 in /metrics, never an "unexpected error" log
 * line and a 500. Run against the API in its own process (not inside Jest's sandbox, where the stream's error comes
 * from another realm and takes another path through Hono).
 */
describe('a malformed chunked request body', () => {
  let db: TestDatabase;
  let api: ChildService;
  let port: number;
  let key: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const redis = testRedis();
    const ws = await db.prisma.workspace.create({ data: { id: newId('ws'), slug: 'acme', name: 'acme' } });
    key = (await createApiKey(db.prisma, { workspaceId: ws.id, role: 'admin' })).key;
    api = ChildService.start('api', process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/api/support/api-server-process.ts')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db.url, REDIS_URL: redis.url, QUEUE_PREFIX: `{${redis.prefix}}` },
    });
    port = Number(await waitFor('the API to listen', () => /listening (\d+)/.exec(api.recentOutput())?.[1]));
  });

  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  /** POST requests counted for a route pattern, by status. */
  async function postCounts(route: string): Promise<Record<string, number>> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const match of text.matchAll(/^deployflow_http_requests_total\{method="POST",route="([^"]*)",status="(\d+)"\} (\d+)$/gm)) {
      if (match[1] === route) counts[match[2]] = Number(match[3]);
    }
    return counts;
  }
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const difference = (after: Record<string, number>, before: Record<string, number>) =>
    Object.fromEntries(Object.entries(after).filter(([status, n]) => n !== (before[status] ?? 0)).map(([status, n]) => [status, n - (before[status] ?? 0)]));

  const head = (route: string, auth: boolean) =>
    `POST ${route} HTTP/1.1\r\nHost: api\r\n${auth ? `Authorization: Bearer ${key}\r\n` : ''}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;

  it.each([
    ['an authenticated route, broken chunk size at once', '/v1/projects', true, false],
    ['an authenticated route, broken chunk size after a good chunk', '/v1/projects', true, true],
    // Unauthenticated and served by no route (a known path with another method answers 405 before any body is read).
    ['a path no route serves', '/nope', false, false],
  ])('on %s: Node answers 400, the API counts a 400 and logs no unexpected error', async (_what, route, auth, afterGoodChunk) => {
    const metricsRoute = route === '/nope' ? 'unmatched' : route;
    const before = await postCounts(metricsRoute);
    const answer = await rawExchange(port, (socket) => {
      if (afterGoodChunk) {
        socket.write(head(route, auth) + '2\r\n{"\r\n');
        setTimeout(() => socket.write('zz\r\nnot a chunk\r\n0\r\n\r\n'), 200);
      } else {
        socket.write(head(route, auth) + 'zz\r\n{}\r\n0\r\n\r\n');
      }
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);

    // The application finishes the request after Node already answered: wait until it has been counted, then see how.
    const after = await waitFor('the request in /metrics', async () => {
      const now = await postCounts(metricsRoute);
      return total(now) > total(before) ? now : undefined;
    }, 10_000);
    expect(difference(after, before)).toEqual({ '400': 1 });
    const logs = api.recentOutput();
    expect(logs).not.toContain('unexpected error');
    expect(logs).not.toContain('"level":"error"');
  });
});
