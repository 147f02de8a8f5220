import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { Logger, silentLogger } from '../logger';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { GatewayTelemetry, noTelemetry } from '../telemetry/telemetry-recorder';
import { sendError } from './error-answers';
import { Exchange, ForwardSettings } from './forward';
import { canaryCookieValue } from './canary-cookie';
import { type Backend, normalizeHostname, RouteTable } from './route-table';

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
  /** The domain generated hostnames are under (APEX_DOMAIN): cookies an instance sets for it, or a parent, are dropped. */
  apex?: string;
  /** A client connection that has not sent a whole request head this long after it began one is closed. Default 20 s. */
  headersTimeoutMs?: number;
  /** How long close() lets requests in flight finish before cutting them. Default 2 s. */
  closeGraceMs?: number;
  /** Where requests, answers and upstream latencies are counted; default a set of its own. */
  metrics?: GatewayMetrics;
  /** Where each answer is counted per deployment (requests, 5xx, latency) for the canary judge; default nowhere. */
  telemetry?: GatewayTelemetry;
}

export interface RunningGateway {
  port: number;
  /** Requests this server has taken since it started. */
  readonly served: number;
  close(): Promise<void>;
}

/** The Host header from the raw list, without building Node's header object. */
function hostOf(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && (name === 'host' || name.toLowerCase() === 'host')) return raw[i + 1];
  }
  return undefined;
}

// A write racing a client that just went away can make a response emit 'error'; it must never crash the process.
function ignore(): void {}

/** The HTTP ingress: Host header → route → one running instance of the routed deployment. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { table } = options;
  const logger = options.logger ?? silentLogger;
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 30_000;
  // One keep-alive pool per instance origin. Idle pooled sockets are dropped after 4 s at most, before a Node app's
  // default 5 s keep-alive timeout closes them under us (undici also honours an app's own `Keep-Alive: timeout=`).
  const dispatcher = new Agent({
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 4_000,
    headersTimeout: upstreamTimeoutMs,
    bodyTimeout: upstreamTimeoutMs,
    connect: { timeout: options.connectTimeoutMs ?? 5_000 },
  });
  const metrics = options.metrics ?? new GatewayMetrics();
  const telemetry = options.telemetry ?? noTelemetry;
  const settings: ForwardSettings = { dispatcher, logger, metrics, telemetry, apex: options.apex?.toLowerCase() };
  let served = 0;
  const answer = (res: ServerResponse, status: number, code: string, message: string, deploymentId?: string) => {
    metrics.gatewayAnswered(status, code);
    // An answer for a routed deployment (its 502 when no instance runs) counts against that deployment.
    if (deploymentId !== undefined) telemetry.record(deploymentId, status, 0);
    sendError(res, status, code, message, deploymentId);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    served++;
    metrics.requestTaken();
    res.on('error', ignore);
    const host = hostOf(req);
    if (host === undefined) {
      answer(res, 400, 'missing_host', 'the request has no Host header');
      return;
    }
    if (!table.loaded) {
      answer(res, 503, 'not_ready', 'the gateway has not loaded its routes yet');
      return;
    }
    const route = table.resolve(host);
    if (route === undefined) {
      answer(res, 404, 'unknown_host', `no route for host ${normalizeHostname(host).slice(0, 255)}`);
      return;
    }
    // A plain route costs one property read here; only a weighted one looks at the client's cookie.
    let backend: Backend;
    let setCookie: string | undefined;
    if (route.weighted) {
      const side = route.sideFor(canaryCookieValue(req.rawHeaders));
      backend = side.backend;
      setCookie = side.setCookie;
    } else {
      backend = route;
    }
    if (backend.origins.length === 0) {
      answer(res, 502, 'no_instance', `deployment ${backend.deploymentId} has no running instance`, backend.deploymentId);
      return;
    }
    new Exchange(req, res, backend, settings, setCookie).run();
  };

  // requestTimeout 0: a large upload may take longer than Node's 5-minute default; idleness is bounded by the
  // upstream timeout instead. The request's head must still come in time: Node's default headers timeout is the
  // smaller of 60 s and requestTimeout, so 0 here would turn it off too, and a client sending a header line every few
  // seconds could hold a connection, and a file descriptor, for as long as it liked (thousands of them exhaust a
  // process's descriptors). Node checks the deadline every `connectionsCheckingInterval`.
  const headersTimeout = options.headersTimeoutMs ?? 20_000;
  const server = http.createServer(
    { requestTimeout: 0, headersTimeout, connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(headersTimeout / 4))) },
    onRequest,
  );
  server.on('connection', (socket) => socket.on('error', ignore));
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
    get served() {
      return served;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 2_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          void dispatcher.destroy().finally(resolve);
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
