import http from 'node:http';

/** True when GET http://host:port/path answers 2xx within timeoutMs. Never follows redirects, never throws. */
export function httpHealthCheck(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let request: http.ClientRequest | undefined;
    let settled = false;
    const finish = (healthy: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request?.destroy();
      resolve(healthy);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    try {
      request = http.get({ host, port, path, agent: false, headers: { 'user-agent': 'krane-health-check' } }, (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        finish(status >= 200 && status < 300);
      });
      request.on('error', () => finish(false));
    } catch {
      finish(false);
    }
  });
}
