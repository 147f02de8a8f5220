import { startRedisCluster, RedisCluster } from '../support/redis-cluster';
import { startApiHarnessWithEngine } from './support/api-harness';
import { followThePinAtEveryStep } from './support/lifecycle-over-http';
import { useApiHarness } from './support/use-api-harness';

/**
 * The lifecycle of SPEC §3 over HTTP with every Redis client (API, engine workers, routing turns, route publication,
 * the gateway's subscriber, state events for ?wait) on a 3-master Redis Cluster.
 */
describe('deploy, roll back, deploy while pinned, promote, undo — over HTTP, on a Redis Cluster', () => {
  let cluster: RedisCluster;
  const { h, acme } = useApiHarness(['acme'], {
    start: async () => {
      cluster = await startRedisCluster();
      return startApiHarnessWithEngine({ redisUrl: cluster.url });
    },
    timeoutMs: 90_000,
  });
  // Registered after useApiHarness's afterAll, so it runs after the harness closed its connections.
  afterAll(async () => {
    await cluster?.stop();
  });

  it('follows the pin at every step', () => followThePinAtEveryStep(h, acme));
});
