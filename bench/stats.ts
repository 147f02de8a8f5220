/** Latency figures of one series, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

/** Nearest-rank percentile: always a value that was measured. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function summarize(samples: number[]): LatencySummary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    meanMs: round(mean),
    minMs: round(sorted[0]),
    maxMs: round(sorted[sorted.length - 1]),
  };
}

/** How many times `of` is `to` (deployflow / bare), to 3 significant digits: small throughput ratios keep their precision. */
export function ratio(of: number, to: number): number {
  if (!(of > 0) || !(to > 0)) throw new Error(`cannot form a ratio of ${of} to ${to}`);
  return Number((of / to).toPrecision(3));
}

export interface LatencyRatio {
  p50: number;
  p95: number;
  mean: number;
}

export function latencyRatio(of: LatencySummary, to: LatencySummary): LatencyRatio {
  return { p50: ratio(of.p50Ms, to.p50Ms), p95: ratio(of.p95Ms, to.p95Ms), mean: ratio(of.meanMs, to.meanMs) };
}
