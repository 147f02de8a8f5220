import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * A process's metrics registry: prom-client's default process metrics (CPU, memory, event-loop lag, handles, GC) and
 * the process uptime. One registry per process role rather than prom-client's global one, so two of them in one
 * process (tests, an embedded gateway next to the API) never collide on a name.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'deployflow_process_uptime_seconds',
    help: 'Seconds since the process started.',
    registers: [registry],
    collect() {
      this.set(process.uptime());
    },
  });
  return registry;
}
