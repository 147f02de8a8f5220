import http from 'node:http';

export interface BoundedResponse<Body = string> {
  status: number;
  contentType: string;
  body: Body;
}

export class ResponseTooLargeError extends Error {}

export interface InstanceRequestLimits {
  /** The whole exchange: connecting, the headers and every byte of the body (a body that drips in is cut off). */
  timeoutMs: number;
  maxBytes: number;
}

/**
 * GET http://<address><path> where address is an instance's `host:port` as Krane reported it. The host and port come
 * only from the address, never from the path, and redirects are not followed (a 3xx is returned as it is): a
 * deployed app cannot point the control plane at another host. The body is capped at maxBytes (refused at once
 * when Content-Length announces more) and the whole exchange at timeoutMs. The body stays bytes: decoding it is
 * the caller's business, and for a tenant's document that happens off this thread.
 */
export function getBytesFromInstance(address: string, path: string, options: InstanceRequestLimits): Promise<BoundedResponse<Buffer>> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) return Promise.reject(new Error(`bad instance address ${address}`));
  if (!path.startsWith('/') || path.startsWith('//')) return Promise.reject(new Error(`path must start with a single /: ${path}`));
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port, path, method: 'GET', headers: { accept: 'application/json, application/yaml, text/yaml, */*' } }, (response) => {
      const announced = Number(response.headers['content-length']);
      if (Number.isFinite(announced) && announced > options.maxBytes) {
        request.destroy(new ResponseTooLargeError(`response exceeds ${options.maxBytes} bytes (Content-Length ${announced})`));
        return;
      }
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
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks, size) }));
      response.on('error', reject);
    });
    const timer = setTimeout(() => request.destroy(new Error(`no complete answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('error', reject);
    request.on('close', () => clearTimeout(timer));
    request.end();
  });
}

/** `getBytesFromInstance` with the body decoded as UTF-8: for small answers such as health checks. */
export async function getFromInstance(address: string, path: string, options: InstanceRequestLimits): Promise<BoundedResponse> {
  const response = await getBytesFromInstance(address, path, options);
  return { ...response, body: response.body.toString('utf8') };
}
