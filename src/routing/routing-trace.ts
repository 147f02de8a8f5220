import type { RedisConnection } from '../redis/connection';

/**
 * Optional instrumentation of routing jobs (off by default): each run that holds its project's turn appends
 * "start"/"end" records to one Redis list, so a test can check across worker processes that runs of one project
 * never overlap and apply in ticket order.
 */
export interface RoutingTraceRecord {
  event: 'start' | 'end';
  projectId: string;
  jobId: string;
  ticket: number;
  /** The run's fencing token (absent in records from before it was traced): tells a job's runs apart. */
  fence?: number;
  at: number;
  pid: number;
  sequence?: number;
  liveTo?: string | null;
  /** Time spent in the route change transaction. */
  txMs?: number;
}

export function routingTraceKey(prefix: string): string {
  return `${prefix}:routing:trace`;
}

export async function traceRouting(redis: RedisConnection, prefix: string, record: Omit<RoutingTraceRecord, 'at' | 'pid'>): Promise<void> {
  await redis.rpush(routingTraceKey(prefix), JSON.stringify({ ...record, at: Date.now(), pid: process.pid }));
}

export async function readRoutingTrace(redis: RedisConnection, prefix: string): Promise<RoutingTraceRecord[]> {
  return (await redis.lrange(routingTraceKey(prefix), 0, -1)).map((line) => JSON.parse(line) as RoutingTraceRecord);
}
