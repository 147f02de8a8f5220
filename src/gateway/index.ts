import type { Db } from '../db/prisma';
import type { Logger, LogLevel } from '../logger';
import { silentLogger } from '../logger';
import { startMetricsServer } from '../metrics/metrics-server';
import type { DependencyHealth } from '../services/dependency-health';
import { startGatewayCluster } from './cluster/gateway-cluster';
import type { GatewayFleet } from './gateway-fleet';
import { type GatewayListenOptions, runGatewayProcess } from './gateway-process';
import { prismaRouteSource } from './route-source';
import type { RouteSync } from './route-sync';
import type { RouteTable } from './route-table';
import type { TelemetryRecorder } from '../telemetry/telemetry-recorder';

export { startGateway } from './gateway-server';
export type { GatewayOptions, RunningGateway } from './gateway-server';
export { publishRouteChange, readRouteVersion, subscribeRouteChanges, routesChannel, routesVersionKey } from '../routing/publication/route-publication';
export type { RouteAssignment, RouteChange, RouteChangeEvent, RouteSubscription } from '../routing/publication/route-publication';
export { prismaRouteSource } from './route-source';
export type { RouteEntry, RouteSnapshot, RouteSource } from './route-source';
export { startRouteSync } from './route-sync';
export type { RouteSync, RouteSyncOptions, RouteSyncStats } from './route-sync';
export { normalizeHostname, RouteTable } from './route-table';
export type { RouteTarget } from './route-table';
export type { GatewayProcessStats } from './cluster/messages';
export type { GatewayFleet } from './gateway-fleet';

export interface GatewayServiceOptions {
  redisUrl: string;
  /** The deployment's Redis key prefix: route events live under `<prefix>:routes`. */
  prefix: string;
  prisma: Db;
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Full route reload period, default 10 s. */
  resyncMs?: number;
  /** APEX_DOMAIN, the domain generated hostnames are under: cookies an instance sets for it, or a parent, are dropped. */
  apex?: string;
  logger?: Logger;
  /**
   * Where the gateway's Redis connection errors go (one log line per outage); without it each error is logged.
   * Worker processes report theirs to it too.
   */
  health?: DependencyHealth;
}

/** The gateway in this process, with its table and sync in reach (tests, a single-core deployment). */
export interface GatewayService extends GatewayFleet {
  table: RouteTable;
  sync: RouteSync;
  /** This process's per-deployment figures (flushed to Redis every second). */
  telemetry: TelemetryRecorder;
}

/** What one gateway process and a cluster of them both take from the control plane's options. */
function listenOptions(options: GatewayServiceOptions): GatewayListenOptions {
  return {
    redisUrl: options.redisUrl,
    prefix: options.prefix,
    source: prismaRouteSource(options.prisma),
    port: options.port,
    host: options.host,
    resyncMs: options.resyncMs,
    apex: options.apex,
    logger: (options.logger ?? silentLogger).child({ component: 'gateway' }),
  };
}

/** The embedded ingress in this process: a route table kept current from PostgreSQL and Redis, served by the proxy. */
export async function startGatewayService(options: GatewayServiceOptions): Promise<GatewayService> {
  const gateway = await runGatewayProcess({ ...listenOptions(options), health: options.health });
  return {
    port: gateway.port,
    processes: 1,
    table: gateway.table,
    sync: gateway.sync,
    telemetry: gateway.telemetry,
    stats: async () => [gateway.stats()],
    metrics: () => gateway.metrics.registry.metrics(),
    resync: () => gateway.sync.resync(),
    close: () => gateway.close(),
  };
}

export interface GatewayProcessesOptions extends GatewayServiceOptions {
  /** Processes sharing the port; 1 serves from this process. */
  processes: number;
  /** Log level of worker processes (their lines go to this process's stderr). */
  logLevel?: LogLevel;
  /**
   * Serve the gateway's metrics (added up over its processes) at `GET /metrics` on this port of `host` (0 picks a
   * free one). Not on the proxy port: there every path under every Host is a tenant's. Absent: not served.
   */
  metricsPort?: number;
}

/**
 * The gateway on `processes` cores: with more than one, worker processes forked with node:cluster share the port,
 * each with its own route table and Redis subscription, and full loads are answered from this process's database
 * client. With one, it is `startGatewayService`.
 */
export async function startGatewayProcesses(options: GatewayProcessesOptions): Promise<GatewayFleet & { metricsPort?: number }> {
  const fleet =
    options.processes <= 1
      ? await startGatewayService(options)
      : await startGatewayCluster({ ...listenOptions(options), processes: options.processes, logLevel: options.logLevel, health: options.health });
  if (options.metricsPort === undefined) return fleet;
  let endpoint;
  try {
    endpoint = await startMetricsServer({ host: options.host ?? '127.0.0.1', port: options.metricsPort, render: () => fleet.metrics() });
  } catch (err) {
    await fleet.close();
    throw err;
  }
  const served = endpoint;
  (options.logger ?? silentLogger).info('gateway metrics listening', { host: options.host ?? '127.0.0.1', port: served.port });
  return {
    port: fleet.port,
    processes: fleet.processes,
    metricsPort: served.port,
    stats: () => fleet.stats(),
    resync: () => fleet.resync(),
    metrics: () => fleet.metrics(),
    close: async () => {
      await served.close();
      await fleet.close();
    },
  };
}
