import type { RedisConnection } from '../../redis/connection';
import type { Dependency } from '../../services/dependency-health';
import type { GatewayHealth } from '../gateway-process';

/**
 * A gateway worker's side of the control plane's dependency health: a Redis connection failure is sent to the
 * primary (whose DependencyHealth logs one line per outage for every process, and notices recovery with its own
 * probes) instead of being logged here on every reconnect attempt. `isDown` answers from what this process sees:
 * Redis is down while one of its connections is, the database while the primary says its loads fail in an outage.
 */
export function healthRelay(send: (error: string) => void, databaseOutage: () => boolean): GatewayHealth {
  const down = new Set<RedisConnection>();
  return {
    watchRedisConnection(connection) {
      connection.on('error', (err: Error) => {
        // One report per connection and outage: the primary dedupes across processes.
        if (!down.has(connection)) send(err.message);
        down.add(connection);
      });
      connection.on('ready', () => down.delete(connection));
    },
    isDown(dependency: Dependency) {
      return dependency === 'redis' ? down.size > 0 : databaseOutage();
    },
  };
}
