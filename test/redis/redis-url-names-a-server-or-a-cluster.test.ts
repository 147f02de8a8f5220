import { ConfigError, loadConfig } from '../../src/config';
import { parseRedisUrl } from '../../src/redis/redis-url';

describe('REDIS_URL', () => {
  it('redis:// and rediss:// name one server, passed to ioredis as they are', () => {
    expect(parseRedisUrl('redis://:pw@10.0.0.1:6380/2')).toEqual({ kind: 'server', url: 'redis://:pw@10.0.0.1:6380/2' });
  });

  it('redis+cluster:// names a cluster by its seed nodes, with optional credentials; rediss+cluster:// adds TLS', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://app:p%40ss@redis-a:6379,[::1]:6380')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'redis-a', port: 6379 },
        { host: '::1', port: 6380 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
  });

  it('a malformed cluster node or a cluster with an untagged QUEUE_PREFIX is refused at start, naming the setting', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ REDIS_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2' })).toEqual([expect.stringMatching(/^REDIS_URL: cluster node "10.0.0.2" must be host:port/)]);
    expect(problems({ REDIS_URL: 'redis+cluster://10.0.0.1:7000', QUEUE_PREFIX: 'deployflow' })).toEqual([expect.stringMatching(/^QUEUE_PREFIX: must hold a Redis Cluster hash tag/)]);
    expect(problems({ REDIS_URL: 'redis+cluster://10.0.0.1:7000' })).toEqual([]);
    expect(problems({ REDIS_URL: 'redis://10.0.0.1:7000', QUEUE_PREFIX: 'deployflow' })).toEqual([]);
  });
});
