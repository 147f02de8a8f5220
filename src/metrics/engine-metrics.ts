import { Counter, Histogram, type Registry } from 'prom-client';
import type { EngineObserver, OperationEnded, StepEnded } from '../engine/engine-observer';
import { counter, histogram } from './define-metric';

// Steps and operations run from milliseconds (a routing commit) to minutes (polling a slow image up).
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
// A routing step waits for its project's turn from nothing to as long as the turns ahead of it take.
const TURN_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * What the engine and the routing steps report, as Prometheus metrics. Labels are the flows' own names (operation
 * kind, step name, queue) and fixed results, never an id, a slug or a hostname.
 */
export class EngineMetrics implements EngineObserver {
  private readonly steps: Histogram<'kind' | 'step' | 'queue' | 'result'>;
  private readonly operations: Counter<'kind' | 'result'>;
  private readonly operationDuration: Histogram<'kind' | 'result'>;
  private readonly turnWait: Histogram<'kind'>;

  constructor(registry: Registry) {
    this.steps = histogram(registry, 'deployflow_step_duration_seconds', 'How long a step took from its first start to its end (retries and polling included), by operation kind, step, queue and result.', ['kind', 'step', 'queue', 'result'], DURATION_BUCKETS);
    this.operations = counter(registry, 'deployflow_operations_total', 'Operations ended, by kind and result (succeeded, failed, cancelled, superseded, rolled_forward).', ['kind', 'result']);
    this.operationDuration = histogram(registry, 'deployflow_operation_duration_seconds', 'How long an operation took from its request being accepted to its end, by kind and result.', ['kind', 'result'], DURATION_BUCKETS);
    this.turnWait = histogram(registry, 'deployflow_routing_turn_wait_seconds', "How long a routing step waited for its project's turn before it committed, by operation kind.", ['kind'], TURN_WAIT_BUCKETS);
  }

  stepEnded({ kind, step, queue, result, durationMs }: StepEnded): void {
    if (durationMs !== undefined) this.steps.observe({ kind, step, queue, result }, durationMs / 1000);
  }

  operationEnded({ kind, result, durationMs }: OperationEnded): void {
    this.operations.inc({ kind, result });
    if (durationMs !== undefined) this.operationDuration.observe({ kind, result }, durationMs / 1000);
  }

  routingTurnWaited(kind: string, waitedMs: number): void {
    this.turnWait.observe({ kind }, Math.max(0, waitedMs) / 1000);
  }
}
