/**
 * Where the gateway's per-deployment figures live in Redis. One hash per deployment and second; each gateway
 * process writes fields of its own (`<process>:n`, `<process>:e`, `<process>:h`), so a process rewriting its
 * cumulative figures for a second is idempotent and the sum over processes is exact.
 *
 * The key starts with the deployment's prefix (QUEUE_PREFIX): on a Redis Cluster its hash tag keeps every key in the
 * one slot deployflow uses, so a pipeline of them goes to one node.
 */
export function telemetryBucketKey(prefix: string, deploymentId: string, second: number): string {
  return `${prefix}:telemetry:${deploymentId}:${second}`;
}

/** How long a second's figures are kept. Judging windows older than this read as empty. */
export const TELEMETRY_TTL_SECONDS = 600;

/** Field suffixes within a second's hash. */
export const REQUESTS_FIELD = 'n';
export const ERRORS_FIELD = 'e';
export const LATENCY_FIELD = 'h';
