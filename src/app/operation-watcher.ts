import type { AppContext } from '../context';
import { OperationWatcher } from '../events/operation-watcher';
import { duplicateConnection } from '../redis/connection';

/**
 * The one watcher of state events of a process that serves waiters (API, gRPC): its subscriber connection is opened on
 * first use, on the context's Redis, and closed by `watcher.close()` at shutdown.
 */
export function createOperationWatcher(ctx: Pick<AppContext, 'config' | 'redis' | 'logger' | 'health'>, options: { fallbackMs?: number } = {}): OperationWatcher {
  const prefix = ctx.config.QUEUE_PREFIX;
  return new OperationWatcher({
    prefix,
    logger: ctx.logger.child({ component: 'operation-watcher' }),
    fallbackMs: options.fallbackMs,
    connect() {
      // Its own connection: one in subscriber mode serves nothing else. Named with the prefix, for CLIENT LIST.
      const connectionName = `deployflow:operation-events:${prefix}`;
      const subscriber = duplicateConnection(ctx.redis, { connectionName, maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false });
      ctx.health?.watchRedisConnection(subscriber);
      return subscriber;
    },
  });
}
