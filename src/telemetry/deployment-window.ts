import type { RedisConnection } from '../redis/connection';
import { decodeLatencySketch, latencyPercentileMs, newLatencySketch } from './latency-sketch';
import { ERRORS_FIELD, LATENCY_FIELD, REQUESTS_FIELD, TELEMETRY_TTL_SECONDS, telemetryBucketKey } from './telemetry-keys';

export interface WindowFigures {
  requests: number;
  errors5xx: number;
  /** 0..1, 0 when no requests. */
  errorRate: number;
  /** null when no requests. */
  p95Ms: number | null;
}

/**
 * A deployment's figures over [fromMs, toMs), summed over every gateway process: every 1-second bucket that overlaps
 * the window (second s covers [s·1000, s·1000 + 1000)), so the window is widened to whole seconds — a window from a
 * stage's start includes the second the stage started in, and one ending now includes the current, partly written
 * second. Seconds older than the figures' TTL are gone and count as empty; the read never asks for more than those.
 */
export async function readDeploymentWindow(
  redis: RedisConnection,
  prefix: string,
  deploymentId: string,
  window: { fromMs: number; toMs: number },
): Promise<WindowFigures> {
  const nowSecond = Math.floor(Date.now() / 1000);
  const first = Math.max(Math.floor(window.fromMs / 1000), nowSecond - TELEMETRY_TTL_SECONDS);
  const end = Math.min(Math.ceil(window.toMs / 1000), nowSecond + 2);
  const figures: WindowFigures = { requests: 0, errors5xx: 0, errorRate: 0, p95Ms: null };
  if (end <= first) return figures;
  const pipeline = redis.pipeline();
  for (let second = first; second < end; second++) pipeline.hgetall(telemetryBucketKey(prefix, deploymentId, second));
  const results = (await pipeline.exec()) ?? [];
  const latency = newLatencySketch();
  for (const [err, value] of results) {
    if (err) throw err;
    for (const [field, text] of Object.entries(value as Record<string, string>)) {
      const kind = field.slice(field.lastIndexOf(':') + 1);
      if (kind === REQUESTS_FIELD) figures.requests += Number(text);
      else if (kind === ERRORS_FIELD) figures.errors5xx += Number(text);
      else if (kind === LATENCY_FIELD) latency.add(decodeLatencySketch(text));
    }
  }
  figures.errorRate = figures.requests === 0 ? 0 : figures.errors5xx / figures.requests;
  figures.p95Ms = latencyPercentileMs(latency, 95);
  return figures;
}
