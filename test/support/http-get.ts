import http from 'node:http';

/** A GET to 127.0.0.1:port with a chosen Host header, as a browser resolving the hostname to loopback would send. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON the tests pick apart
export function getViaHost(port: number, host: string, path = '/'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; json(): any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Retries `check` until it passes or `timeoutMs` ends (bounded; for state that converges, not for timing). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
