import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Logger } from '../logger';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import type { GatewayTelemetry } from '../telemetry/telemetry-recorder';
import { downstreamResponseHeaders, upstreamRequestHead } from './proxy-headers';
import { sendError } from './error-answers';
import type { Backend } from './route-table';

export interface ForwardSettings {
  /** Keep-alive connection pools, one per instance origin (an undici Agent). */
  dispatcher: Dispatcher;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Per-deployment figures for the canary judge: one record per answer. */
  telemetry: GatewayTelemetry;
  /** The domain generated hostnames are under: an instance's cookies for it (or a parent) are dropped. */
  apex?: string;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

// Failures of a connection that was open (or reused from the pool) before anything of ours was answered.
const SOCKET_FAILURES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
// How undici words a socket failure that is in fact the instance's answer, one HTTP does not allow here (a 101 to a
// request that asked for no upgrade, a 100 Continue to one that expected none): not a dead pooled socket, so asking
// again would only deliver the request twice.
const INVALID_ANSWERS = new Set(['bad upgrade', 'bad response']);

// Listeners shared by every exchange (no closure per request): the exchange hangs off the response.
const kExchange = Symbol('exchange');
type TrackedResponse = ServerResponse & { [kExchange]?: Exchange };
function onResponseClose(this: TrackedResponse): void {
  this[kExchange]?.clientClosed();
}
function onResponseDrain(this: TrackedResponse): void {
  this[kExchange]?.resumeUpstream();
}

/**
 * One request through the gateway: dispatched on the keep-alive pool of the first instance in round-robin order;
 * an instance that refuses the connection (or times out connecting) hands the request to the next one untouched.
 * The request body is pulled from the client only once an upstream connection is open, so a refused instance
 * consumed nothing. A pooled connection that turns out dead before any of the request went out is retried once
 * on the same instance (a new connection), then on the next. Once body bytes went out, a failure is final: 502,
 * or 504 when the instance stayed silent for the upstream timeout. The response streams back with backpressure.
 *
 * This object is undici's dispatch handler for every attempt (its classic callback interface, which undici calls
 * directly without wrapping).
 */
export class Exchange implements Dispatcher.DispatchHandler {
  private readonly headers: string[];
  private readonly hasBody: boolean;
  private readonly start: number;
  /** When the gateway took the request (performance.now()): the deployment's latency runs from here, retries included. */
  private readonly takenAt = performance.now();
  private attempt = 0;
  /** When the current attempt was dispatched (performance.now()): the upstream latency runs from here. */
  private dispatchedAt = 0;
  private retriedSameInstance = false;
  private connected = false;
  private bodyPulled = false;
  private bodySent = false;
  private responded = false;
  private finished = false;
  private clientGone = false;
  private abortUpstream: ((err?: Error) => void) | undefined;
  private resume: (() => void) | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly backend: Backend,
    private readonly settings: ForwardSettings,
    /** A weighted route's side cookie for a client that was just dealt a side (see WeightedRoute). */
    private readonly setCookie?: string,
  ) {
    const head = upstreamRequestHead(req);
    this.headers = head.headers;
    this.hasBody = head.hasBody;
    this.start = backend.nextStart();
    (res as TrackedResponse)[kExchange] = this;
    res.on('close', onResponseClose);
  }

  run(): void {
    const { backend } = this;
    const origins = backend.origins;
    if (this.attempt >= origins.length) {
      this.settings.logger.warn('no instance accepted the connection', { deploymentId: backend.deploymentId, tried: origins.length });
      this.fail(502, 'no_instance', `no running instance of deployment ${backend.deploymentId} accepted the connection`);
      return;
    }
    this.connected = false;
    this.abortUpstream = undefined;
    const index = (this.start + this.attempt) % origins.length;
    this.dispatchedAt = performance.now();
    this.settings.dispatcher.dispatch(
      {
        origin: origins[index],
        path: this.req.url ?? '/',
        method: this.req.method ?? 'GET',
        headers: this.headers,
        // undici takes any async iterable as a body (its types list only streams and buffers).
        body: this.hasBody ? (this.body() as unknown as Dispatcher.DispatchOptions['body']) : null,
        idempotent: false,
      },
      this,
    );
  }

  /** The client's body, read only when undici writes it (after the connection opened). */
  private async *body(): AsyncGenerator<Buffer> {
    this.bodyPulled = true;
    // destroyOnReturn false: when undici stops early, the client's request (and its connection) stays ours to answer.
    for await (const chunk of this.req.iterator({ destroyOnReturn: false })) {
      if (this.finished || this.clientGone) return;
      this.bodySent = true;
      yield chunk as Buffer;
    }
  }

  // --- undici's handler interface ---

  onConnect(abort: (err?: Error) => void): void {
    this.connected = true;
    this.abortUpstream = abort;
    if (this.clientGone) abort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null, resume: () => void, statusText?: string): boolean {
    if (this.clientGone) return false;
    // An informational answer (103 Early Hints; undici itself refuses an unasked-for 100 Continue) comes before the
    // response and is not it: written as the head, it was the only head the client got (Node sends one per response),
    // and the client saw no response. Early hints are an optimisation a client does without; they are not passed on.
    if (statusCode < 200) return true;
    this.responded = true;
    this.resume = resume;
    const now = performance.now();
    this.settings.metrics.upstreamAnswered(statusCode, (now - this.dispatchedAt) / 1000);
    this.settings.telemetry.record(this.backend.deploymentId, statusCode, now - this.takenAt);
    const headers = downstreamResponseHeaders(rawHeaders ?? [], this.backend.deploymentId, this.settings.apex);
    if (this.setCookie !== undefined) headers.push('set-cookie', this.setCookie);
    if (statusText) this.res.writeHead(statusCode, statusText, headers);
    else this.res.writeHead(statusCode, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.clientGone) return false;
    if (this.res.write(chunk)) return true;
    this.res.once('drain', onResponseDrain);
    return false;
  }

  onComplete(): void {
    this.finished = true;
    if (!this.clientGone) this.res.end();
  }

  onError(err: Error & { code?: string }): void {
    if (this.finished || this.clientGone) return;
    const { backend, settings } = this;
    const deploymentId = backend.deploymentId;
    if (this.responded) {
      // The status line is out: all the client can learn is that the response was cut short.
      this.finished = true;
      this.res.destroy();
      return;
    }
    const code = err.code ?? '';
    if (code === 'UND_ERR_INVALID_ARG') {
      // Something in the request undici will not send (e.g. a path it refuses): no instance would get it either.
      this.fail(400, 'bad_request', `the request cannot be forwarded: ${err.message}`);
      return;
    }
    if (!this.connected && !this.bodyPulled) {
      settings.logger.debug('instance refused or did not accept the connection; trying the next', { deploymentId, error: err.message });
      this.attempt++;
      this.run();
      return;
    }
    if (code === 'UND_ERR_SOCKET' && INVALID_ANSWERS.has(err.message)) {
      settings.logger.warn('instance answered with a response HTTP does not allow here', { deploymentId, error: err.message });
      this.fail(502, 'upstream_error', `instance of deployment ${deploymentId} answered with an invalid response (${err.message})`);
      return;
    }
    // A pooled keep-alive socket the instance closed just as it was reused: the instance is fine, the socket was not.
    if (!this.bodyPulled && SOCKET_FAILURES.has(code) && IDEMPOTENT.has(this.req.method ?? '')) {
      if (!this.retriedSameInstance) {
        this.retriedSameInstance = true;
        settings.logger.debug('pooled connection was closed by the instance; retrying', { deploymentId });
      } else {
        this.attempt++;
      }
      this.run();
      return;
    }
    if (TIMEOUTS.has(code)) {
      settings.logger.warn('upstream timed out', { deploymentId });
      this.fail(504, 'upstream_timeout', `instance of deployment ${deploymentId} did not answer in time`);
      return;
    }
    settings.logger.warn('upstream failed mid-request', { deploymentId, error: err.message, bodySent: this.bodySent });
    this.fail(502, 'upstream_error', `instance of deployment ${deploymentId} failed: ${code || err.message}`);
  }

  // --- the client's side ---

  clientClosed(): void {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.abortUpstream?.();
  }

  resumeUpstream(): void {
    if (!this.clientGone) this.resume?.();
  }

  private fail(status: number, code: string, message: string): void {
    this.finished = true;
    this.settings.metrics.gatewayAnswered(status, code);
    this.settings.telemetry.record(this.backend.deploymentId, status, performance.now() - this.takenAt);
    sendError(this.res, status, code, message, this.backend.deploymentId);
  }
}
