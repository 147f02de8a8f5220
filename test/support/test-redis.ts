import { randomBytes } from 'node:crypto';
import { createRedisConnection, RedisConnection } from '../../src/redis/connection';
import { readTestServices } from './services-file';

/**
 * The shared test redis-server's URL (or `url`, e.g. a Redis Cluster of the test's own), and a key prefix no other
 * test file uses.
 */
export function testRedis(url?: string): { url: string; prefix: string; connect(): RedisConnection } {
  const redisUrl = url ?? readTestServices().redisUrl;
  const prefix = `t${randomBytes(4).toString('hex')}`;
  return {
    url: redisUrl,
    prefix,
    connect: () => createRedisConnection(redisUrl, { maxRetriesPerRequest: null }),
  };
}
