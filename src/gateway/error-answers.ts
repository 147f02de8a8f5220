import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * The gateway's own answers (400, 404, 502, 503, 504): `{"error":{"code","message"}}`, never cached, with the
 * deployment id when one was chosen. A response whose head already went out can only be cut short.
 */
export function sendError(res: ServerResponse, status: number, code: string, message: string, deploymentId?: string): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  };
  if (deploymentId) headers['x-deployment-id'] = deploymentId;
  res.writeHead(status, headers);
  res.end(body);
}
