import { Counter, Histogram, Registry } from 'prom-client';
import { statusClass } from './status-class';
import { counter, histogram } from './define-metric';

/** Who produced an answer: an instance of the routed deployment, or the gateway itself (404, 502, 503, 504 …). */
export type AnswerSource = 'upstream' | 'gateway';

/**
 * The gateway's metrics, one set per gateway process. Labels are status classes and the gateway's own error codes
 * (a fixed set): never a hostname or a deployment id, which are the tenants'.
 */
export class GatewayMetrics {
  readonly registry: Registry;
  private readonly requests: Counter;
  private readonly responses: Counter<'status_class' | 'source'>;
  private readonly upstream: Histogram<'status_class'>;
  private readonly errors: Counter<'status_class' | 'code'>;
  // Per status class (index: the status's first digit), the labelled children an upstream answer updates: looked up
  // once, not hashed from a label object on every proxied request.
  private readonly upstreamChildren: { latency: { observe(seconds: number): void }; answered: { inc(): void } }[] = [];

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    this.requests = counter(registry, 'deployflow_gateway_requests_total', 'Requests the gateway took.');
    this.responses = counter(registry, 'deployflow_gateway_responses_total', 'Answers the gateway sent, by status class and by who answered (upstream: an instance; gateway: the gateway itself).', ['status_class', 'source']);
    this.upstream = histogram(registry, 'deployflow_gateway_upstream_duration_seconds', "Time from forwarding a request to an instance to the instance's response head, by status class of that response.", ['status_class'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
    this.errors = counter(registry, 'deployflow_gateway_errors_total', "The gateway's own error answers, by status class and error code (unknown_host, no_instance, upstream_timeout …).", ['status_class', 'code']);
  }

  requestTaken(): void {
    this.requests.inc();
  }

  /** An instance answered: its status, and how long it took to send its response head. */
  upstreamAnswered(status: number, seconds: number): void {
    const index = status >= 100 && status < 600 ? Math.floor(status / 100) : 0;
    let children = this.upstreamChildren[index];
    if (!children) {
      const cls = statusClass(status);
      children = { latency: this.upstream.labels({ status_class: cls }), answered: this.responses.labels({ status_class: cls, source: 'upstream' }) };
      this.upstreamChildren[index] = children;
    }
    children.latency.observe(seconds);
    children.answered.inc();
  }

  /** The gateway answered itself with an error (`code` from its fixed set). */
  gatewayAnswered(status: number, code: string): void {
    const cls = statusClass(status);
    this.responses.inc({ status_class: cls, source: 'gateway' });
    this.errors.inc({ status_class: cls, code });
  }
}
