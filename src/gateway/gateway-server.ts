import http, { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger, silentLogger } from '../logger';
import { normalizeHostname, RouteTable } from './route-table';

export interface GatewayOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  table: RouteTable;
  logger?: Logger;
  /** An instance that accepts no connection within this time counts as refused: the next one is tried. Default 5 s. */
  connectTimeoutMs?: number;
  /** An upstream exchange idle (no byte either way) for this long is cut: 504, or a truncated response. Default 30 s. */
  upstreamTimeoutMs?: number;
  /** How long close() lets requests in flight finish before cutting them. Default 2 s. */
  closeGraceMs?: number;
}

export interface RunningGateway {
  port: number;
  close(): Promise<void>;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection and are never forwarded. `expect` is
// answered by this server already (100 Continue) and `host` is set explicitly.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function upstreamRequestHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const headers = withoutHopByHop(req.headers);
  delete headers.expect;
  // The body arrives decoded; a body without a length goes on chunked (this also covers methods for which
  // Node would not pick chunked encoding by itself).
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] !== undefined) {
    headers['transfer-encoding'] = 'chunked';
  }
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}` : client;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = 'http';
  return headers;
}

function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(colon + 1)) };
}

function sendError(res: ServerResponse, status: number, code: string, message: string, deploymentId?: string): void {
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

class ConnectTimeoutError extends Error {
  readonly code = 'ECONNTIMEOUT';
}
class UpstreamTimeoutError extends Error {
  readonly code = 'EUPSTREAMTIMEOUT';
}

interface ProxySettings {
  agent: http.Agent;
  logger: Logger;
  connectTimeoutMs: number;
  upstreamTimeoutMs: number;
}

/**
 * Forwards one request to the first candidate that accepts a connection. The request body is piped only once
 * the upstream connection is open, so a refused instance has consumed nothing and the next one gets the whole
 * body. Once body bytes went out, a failure is final (502/504): the body cannot be replayed.
 */
function proxy(req: IncomingMessage, res: ServerResponse, deploymentId: string, candidates: string[], settings: ProxySettings): void {
  const { agent, logger } = settings;
  const headers = upstreamRequestHeaders(req);
  let clientGone = false;
  let current: http.ClientRequest | undefined;
  res.on('close', () => {
    if (res.writableFinished) return;
    clientGone = true;
    current?.destroy();
  });

  // `fresh`: a new connection instead of a pooled one (after a pooled socket turned out to be closed).
  const attempt = (index: number, fresh = false): void => {
    if (clientGone) return;
    if (index >= candidates.length) {
      logger.warn('no instance accepted the connection', { deploymentId, tried: candidates.length });
      sendError(res, 502, 'no_instance', `no running instance of deployment ${deploymentId} accepted the connection`, deploymentId);
      return;
    }
    const address = candidates[index];
    const { host, port } = parseAddress(address);
    let connected = false;
    let bodyStarted = false;
    let responded = false;
    let settled = false;
    const upstream = http.request({ host, port, method: req.method, path: req.url, headers, agent: fresh ? false : agent, setHost: false });
    current = upstream;
    const connectTimer = setTimeout(
      () => upstream.destroy(new ConnectTimeoutError(`connect to ${address} timed out`)),
      settings.connectTimeoutMs,
    );
    const onBodyData = () => {
      bodyStarted = true;
    };

    const startStreaming = () => {
      if (connected) return;
      connected = true;
      clearTimeout(connectTimer);
      upstream.setTimeout(settings.upstreamTimeoutMs, () =>
        upstream.destroy(new UpstreamTimeoutError(`upstream ${address} was idle for ${settings.upstreamTimeoutMs} ms`)),
      );
      if (req.readableEnded) {
        upstream.end();
      } else {
        req.on('data', onBodyData);
        req.pipe(upstream);
      }
    };
    upstream.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', startStreaming);
      else startStreaming();
    });

    upstream.on('response', (upstreamRes) => {
      responded = true;
      req.off('data', onBodyData);
      if (clientGone) {
        upstreamRes.destroy();
        return;
      }
      const responseHeaders = withoutHopByHop(upstreamRes.headers);
      responseHeaders['x-deployment-id'] = deploymentId;
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, responseHeaders);
      upstreamRes.pipe(res);
      upstreamRes.on('error', () => undefined);
      // A response cut short upstream must reach the client cut short too, not as a complete message.
      upstreamRes.on('close', () => {
        if (!upstreamRes.complete) res.destroy();
      });
    });

    upstream.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      req.off('data', onBodyData);
      req.unpipe(upstream);
      if (settled || clientGone) return;
      settled = true;
      if (responded) {
        res.destroy();
        return;
      }
      // A keep-alive socket the instance closed just as we reused it: the instance is fine, the socket was not.
      // Try the same instance once more on a new connection (with one replica there is no other to try).
      const staleSocket = upstream.reusedSocket && err.code === 'ECONNRESET' && IDEMPOTENT.has(req.method ?? '');
      if (!bodyStarted && staleSocket && !fresh) {
        logger.debug('pooled connection was closed by the instance; retrying on a new one', { deploymentId, address });
        attempt(index, true);
        return;
      }
      if (!bodyStarted && (!connected || staleSocket)) {
        logger.debug('instance failed before the request was sent; trying the next', { deploymentId, address, error: err.message });
        attempt(index + 1);
        return;
      }
      if (err instanceof UpstreamTimeoutError) {
        logger.warn('upstream timed out', { deploymentId, address });
        sendError(res, 504, 'upstream_timeout', `instance of deployment ${deploymentId} did not answer in time`, deploymentId);
        return;
      }
      logger.warn('upstream failed mid-request', { deploymentId, address, error: err.message });
      sendError(res, 502, 'upstream_error', `instance of deployment ${deploymentId} failed: ${err.code ?? err.message}`, deploymentId);
    });
  };

  attempt(0);
}

/** The HTTP ingress: Host header → route → one running instance of the routed deployment. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { table } = options;
  const logger = options.logger ?? silentLogger;
  // Idle pooled sockets are dropped after 4 s, before a Node app's default 5 s keep-alive timeout closes them under us.
  const agent = new http.Agent({ keepAlive: true, timeout: 4_000 });
  const settings: ProxySettings = {
    agent,
    logger,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    upstreamTimeoutMs: options.upstreamTimeoutMs ?? 30_000,
  };

  // requestTimeout 0: a large upload may take longer than Node's 5-minute default; idleness is bounded by the
  // upstream timeout instead.
  const server = http.createServer({ requestTimeout: 0 }, (req, res) => {
    // A client that goes away mid-exchange surfaces as errors on these streams; they must never crash the process.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const hostHeader = req.headers.host;
    if (!hostHeader) {
      sendError(res, 400, 'missing_host', 'the request has no Host header');
      return;
    }
    if (!table.loaded) {
      sendError(res, 503, 'not_ready', 'the gateway has not loaded its routes yet');
      return;
    }
    const target = table.lookup(hostHeader);
    if (!target) {
      sendError(res, 404, 'unknown_host', `no route for host ${normalizeHostname(hostHeader).slice(0, 255)}`);
      return;
    }
    const candidates = table.candidates(target.deploymentId);
    if (candidates.length === 0) {
      sendError(res, 502, 'no_instance', `deployment ${target.deploymentId} has no running instance`, target.deploymentId);
      return;
    }
    proxy(req, res, target.deploymentId, candidates, settings);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info('gateway listening', { host: options.host ?? '127.0.0.1', port });

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 2_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          agent.destroy();
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
