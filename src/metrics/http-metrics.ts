import { Counter, Histogram, type Registry } from 'prom-client';
import { counter, histogram } from './define-metric';

/**
 * The API's request metrics. `route` is a route pattern (`/v1/projects/:id`) or one of a few fixed names, never a raw
 * path: ids in paths would make a series per tenant. The API's middleware (src/api/metrics.ts) chooses it.
 */
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;

  constructor(registry: Registry) {
    this.requests = counter(registry, 'deployflow_http_requests_total', 'HTTP requests answered by the API, by method, route pattern and status.', ['method', 'route', 'status']);
    this.duration = histogram(registry, 'deployflow_http_request_duration_seconds', 'Time the API took to answer, by method and route pattern (a waited-for operation included).', ['method', 'route'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
  }

  record(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }
}
