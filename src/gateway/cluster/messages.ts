import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { LogLevel } from '../../logger';
import type { RouteSyncStats } from '../route-sync';

/** What a gateway worker process needs to start; passed in its environment as JSON. */
export interface GatewayWorkerConfig {
  redisUrl: string;
  prefix: string;
  host: string;
  port: number;
  resyncMs?: number;
  connectTimeoutMs?: number;
  upstreamTimeoutMs?: number;
  headersTimeoutMs?: number;
  apex?: string;
  logLevel: LogLevel;
  /**
   * The primary tracks dependency health: report Redis connection failures to it (it logs one line per outage for
   * all processes) instead of logging each one here.
   */
  relayHealth: boolean;
}

export const WORKER_CONFIG_ENV = 'DEPLOYFLOW_GATEWAY_WORKER';

/** One gateway process as it reports itself: which route version it serves and how much it served. */
export interface GatewayProcessStats {
  pid: number;
  /** The last route change this process applied: once it is ≥ a change's version, it routes by that change. */
  version: number;
  loaded: boolean;
  routes: number;
  /** Requests it has taken since it started. */
  served: number;
  sync: RouteSyncStats;
}

/** One process's gateway metrics as prom-client reads them (`getMetricsAsJSON`), for the primary to add up. */
export type GatewayProcessMetrics = MetricObjectWithValues<MetricValue<string>>[];

// Worker -> primary.
export type WorkerMessage =
  | { type: 'gateway:ready'; port: number }
  | { type: 'gateway:failed'; error: string }
  | { type: 'gateway:stats'; id: number; stats: GatewayProcessStats }
  | { type: 'gateway:resynced'; id: number; replaced: boolean }
  | { type: 'gateway:metrics'; id: number; metrics: GatewayProcessMetrics }
  | { type: 'gateway:redis-down'; error: string }
  | { type: 'gateway:load'; id: number; deploymentIds?: string[] };

// Primary -> worker.
export type PrimaryMessage =
  | { type: 'gateway:stats?'; id: number }
  | { type: 'gateway:resync'; id: number }
  | { type: 'gateway:metrics?'; id: number }
  | { type: 'gateway:loaded'; id: number; ok: true; data: unknown }
  | { type: 'gateway:loaded'; id: number; ok: false; error: string; outage: boolean }
  | { type: 'gateway:shutdown' };

export function isMessage<T extends { type: string }>(value: unknown, type: T['type']): value is T {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type;
}
