import { startRedisCluster, RedisCluster } from '../support/redis-cluster';
import { routingStorm } from './support/routing-storm';

/**
 * The serialization proof with the routing turns, fencing tokens, queues and route publication of 4 worker processes
 * all on a 3-master Redis Cluster. A smaller storm than on one Redis (120 rollbacks and promotes over 10 projects):
 * what it adds is the cluster, not the volume.
 */
describe('the routing queue under a storm from 4 worker processes, on a Redis Cluster', () => {
  let cluster: RedisCluster | undefined;
  routingStorm({
    projects: 10,
    switchesPerProject: 12,
    workerProcesses: 4,
    redis: {
      start: async () => (cluster = await startRedisCluster()).url,
      stop: async () => cluster?.stop(),
    },
  });
});
