import type { Registry } from 'prom-client';
import { EngineMetrics } from './engine-metrics';
import { HttpMetrics } from './http-metrics';
import { QueueMetrics } from './queue-metrics';
import { createMetricsRegistry } from './registry';

/**
 * The control plane's metrics in one process: its registry (what the API's GET /metrics renders), the API's request
 * metrics, the engine's step and operation metrics (its observer) and the queue depths. Built once per process by
 * the composition root and handed to the API and the engine through the context.
 */
export interface DeployflowMetrics {
  registry: Registry;
  http: HttpMetrics;
  engine: EngineMetrics;
  queues: QueueMetrics;
}

export function createDeployflowMetrics(): DeployflowMetrics {
  const registry = createMetricsRegistry();
  return { registry, http: new HttpMetrics(registry), engine: new EngineMetrics(registry), queues: new QueueMetrics(registry) };
}
