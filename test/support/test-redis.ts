import { randomBytes } from 'node:crypto';
import IORedis, { Redis } from 'ioredis';
import { readTestServices } from './services-file';

/** The shared test redis-server's URL, and a key prefix no other test file uses. */
export function testRedis(): { url: string; prefix: string; connect(): Redis } {
  const { redisUrl } = readTestServices();
  const prefix = `t${randomBytes(4).toString('hex')}`;
  return {
    url: redisUrl,
    prefix,
    connect: () => new IORedis(redisUrl, { maxRetriesPerRequest: null }),
  };
}
