import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';

export interface SeenRequest {
  method: string;
  path: string;
  at: number;
}

/**
 * Looks at each request before the API does: `pass` hands it to the API (after any wait the front chose), `answered`
 * means the front answered it itself (a 429, a 503, a dropped connection …). Fault injection in front of a real API.
 */
export type Front = (req: SeenRequest, res: http.ServerResponse) => 'pass' | 'answered' | Promise<'pass' | 'answered'>;

export interface ApiOverSocket {
  url: string;
  /** Every request that reached the socket, in arrival order (answered by the front or not). */
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** The API app served on 127.0.0.1 on a port of its own, as `npm start` serves it, optionally behind a front. */
export async function serveOverSocket(app: { fetch: (request: Request) => Response | Promise<Response> }, front?: Front): Promise<ApiOverSocket> {
  const listener = getRequestListener(app.fetch);
  const requests: SeenRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const seen = { method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now() };
    requests.push(seen);
    if (front && (await front(seen, res)) === 'answered') return;
    await listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON answer in the API's error shape, as a front sends it. */
export function answerError(res: http.ServerResponse, status: number, code: string, headers: Record<string, string> = {}): 'answered' {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { code, message: `answered ${status} in front of the API`, requestId: 'req_front' } }));
  return 'answered';
}
