import IORedis from 'ioredis';
import type { Db } from '../db/prisma';
import { Logger, silentLogger } from '../logger';
import type { DependencyHealth } from '../services/dependency-health';
import { startGateway } from './gateway-server';
import { prismaRouteSource } from './route-source';
import { startRouteSync, RouteSync } from './route-sync';
import { RouteTable } from './route-table';

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
  logger?: Logger;
  /** Where the gateway's Redis connection errors go (one log line per outage); without it each error is logged. */
  health?: DependencyHealth;
}

export interface GatewayService {
  port: number;
  table: RouteTable;
  sync: RouteSync;
  close(): Promise<void>;
}

/** The embedded ingress: a route table kept current from PostgreSQL and Redis, served by the proxy. */
export async function startGatewayService(options: GatewayServiceOptions): Promise<GatewayService> {
  const logger = (options.logger ?? silentLogger).child({ component: 'gateway' });
  const table = new RouteTable();
  // Bounded retries: a reload during a Redis outage should fail and keep the old table, not hang the sync.
  const redis = new IORedis(options.redisUrl, { maxRetriesPerRequest: 2 });
  // With a health tracker the subscriber connection is ours too, so its errors go to the same place.
  const subscriber = options.health
    ? new IORedis(options.redisUrl, { maxRetriesPerRequest: null, connectionName: `${options.prefix}:route-subscriber` })
    : undefined;
  if (options.health) {
    options.health.watchRedisConnection(redis);
    options.health.watchRedisConnection(subscriber!);
  } else {
    redis.on('error', (err: Error) => logger.warn('gateway redis connection error', { error: err.message }));
  }
  let sync: RouteSync | undefined;
  try {
    sync = await startRouteSync({
      table,
      source: prismaRouteSource(options.prisma),
      redis,
      subscriber: subscriber ?? options.redisUrl,
      prefix: options.prefix,
      resyncMs: options.resyncMs,
      logger,
      inOutage: options.health ? () => options.health!.isDown('redis') || options.health!.isDown('database') : undefined,
    });
    const server = await startGateway({ host: options.host, port: options.port, table, logger });
    const started = sync;
    let closing: Promise<void> | undefined;
    return {
      port: server.port,
      table,
      sync: started,
      // Idempotent: a second ioredis disconnect() would arm a timer that nothing clears.
      close() {
        closing ??= (async () => {
          await server.close();
          // Connections end before the sync stops: a reload or an unsubscribe waiting for an absent Redis would
          // otherwise hold the stop until Redis came back.
          subscriber?.disconnect();
          redis.disconnect();
          await started.stop();
        })();
        return closing;
      },
    };
  } catch (err) {
    subscriber?.disconnect();
    await sync?.stop();
    redis.disconnect();
    throw err;
  }
}
