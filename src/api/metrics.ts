import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { ApiEnv } from './types';

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Request counters in Prometheus text format. Labels use the route pattern (`/v1/projects/:id`), never the raw
 * path, so callers cannot grow the label set; requests matching no route share `route="unmatched"`.
 */
export class HttpMetrics {
  private readonly counts = new Map<string, { method: string; route: string; status: number; count: number }>();
  private readonly startedAt = Date.now();

  record(method: string, route: string, status: number): void {
    const key = `${method} ${route} ${status}`;
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { method, route, status, count: 1 });
  }

  middleware(): MiddlewareHandler<ApiEnv> {
    return async (c, next) => {
      try {
        await next();
      } finally {
        const matched = routePath(c, -1);
        const route = !matched || matched.endsWith('*') ? 'unmatched' : matched;
        this.record(c.req.method, route, c.res.status);
      }
    };
  }

  render(): string {
    const lines = [
      '# HELP deployflow_http_requests_total HTTP requests answered, by method, route pattern and status.',
      '# TYPE deployflow_http_requests_total counter',
    ];
    const entries = [...this.counts.values()].sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.status - b.status);
    for (const e of entries) {
      lines.push(`deployflow_http_requests_total{method="${escapeLabel(e.method)}",route="${escapeLabel(e.route)}",status="${e.status}"} ${e.count}`);
    }
    lines.push(
      '# HELP deployflow_process_uptime_seconds Seconds since the process started.',
      '# TYPE deployflow_process_uptime_seconds gauge',
      `deployflow_process_uptime_seconds ${process.uptime().toFixed(3)}`,
      '# HELP deployflow_api_uptime_seconds Seconds since this API instance was created.',
      '# TYPE deployflow_api_uptime_seconds gauge',
      `deployflow_api_uptime_seconds ${((Date.now() - this.startedAt) / 1000).toFixed(3)}`,
    );
    return lines.join('\n') + '\n';
  }
}
