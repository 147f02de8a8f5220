import http from 'node:http';

export interface BoundedResponse {
  status: number;
  contentType: string;
  body: string;
}

export class ResponseTooLargeError extends Error {}

/**
 * GET http://<address><path> where address is an instance's `host:port` as Krane reported it. The host and port come
 * only from the address, never from the path, and redirects are not followed: a deployed app cannot point
 * the control plane at another host. The body is capped at maxBytes and the whole exchange at timeoutMs.
 */
export function getFromInstance(address: string, path: string, options: { timeoutMs: number; maxBytes: number }): Promise<BoundedResponse> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) return Promise.reject(new Error(`bad instance address ${address}`));
  if (!path.startsWith('/') || path.startsWith('//')) return Promise.reject(new Error(`path must start with a single /: ${path}`));
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port, path, method: 'GET', headers: { accept: 'application/json, application/yaml, text/yaml, */*' } }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          request.destroy(new ResponseTooLargeError(`response exceeds ${options.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('error', reject);
    request.on('close', () => clearTimeout(timer));
    request.end();
  });
}
