import { Cluster, Redis, RedisOptions } from 'ioredis';
import { parseRedisUrl } from './redis-url';

/**
 * A connection to what REDIS_URL names: one server (`Redis`) or a Redis Cluster (`Cluster`). Both take the same
 * commands; code that only sends commands, runs scripts or subscribes takes either.
 */
export type RedisConnection = Redis | Cluster;

/**
 * Options of one connection. On a cluster they apply to every node's connection, except the few that are the
 * cluster's own (`lazyConnect`, `enableOfflineQueue`, and `retryStrategy`, which becomes the cluster's retry strategy).
 */
export type ConnectionOptions = Pick<
  RedisOptions,
  'maxRetriesPerRequest' | 'enableOfflineQueue' | 'lazyConnect' | 'connectionName' | 'connectTimeout' | 'commandTimeout' | 'retryStrategy'
>;

/** The one place that turns REDIS_URL into a connection: every part of deployflow connects through it. */
export function createRedisConnection(url: string, options: ConnectionOptions = {}): RedisConnection {
  const target = parseRedisUrl(url);
  if (target.kind === 'server') return new Redis(url, options);
  const { lazyConnect, enableOfflineQueue, retryStrategy, ...perNode } = options;
  return new Cluster(target.nodes, {
    lazyConnect,
    enableOfflineQueue,
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) } : {}),
    redisOptions: {
      ...perNode,
      username: target.username,
      password: target.password,
      ...(target.tls ? { tls: {} } : {}),
    },
  });
}

export function isCluster(connection: RedisConnection): connection is Cluster {
  return connection instanceof Cluster;
}

/**
 * A second connection to the same Redis or cluster with other options (e.g. one for a subscription, which serves
 * nothing else). `Redis.duplicate` and `Cluster.duplicate` take their options in different shapes.
 */
export function duplicateConnection(connection: RedisConnection, options: ConnectionOptions): RedisConnection {
  if (!(connection instanceof Cluster)) return connection.duplicate(options);
  const { lazyConnect, enableOfflineQueue, retryStrategy, ...perNode } = options;
  return connection.duplicate(undefined, {
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) } : {}),
    redisOptions: { ...connection.options.redisOptions, ...perNode },
  });
}
