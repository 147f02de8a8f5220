import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/**
 * A mergeable latency distribution: an HDR histogram (hdr-histogram-js) of microseconds, 2 significant digits
 * (any percentile within 1 %). Sketches of different processes and seconds add up exactly, which a pre-computed
 * percentile could not.
 */
export type LatencySketch = Histogram;

// An hour: no answer the gateway forwards takes longer (its upstream timeout is far shorter); longer ones are clamped.
const HIGHEST_MICROS = 3_600_000_000;

export function newLatencySketch(): LatencySketch {
  // Pure JS (no WebAssembly): nothing to free, and recording is a few array operations.
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_MICROS, numberOfSignificantValueDigits: 2, bitBucketSize: 32, useWebAssembly: false });
}

export function recordLatency(sketch: LatencySketch, latencyMs: number): void {
  const micros = Math.round(latencyMs * 1000);
  sketch.recordValue(micros < 1 ? 1 : micros > HIGHEST_MICROS ? HIGHEST_MICROS : micros);
}

export function encodeLatencySketch(sketch: LatencySketch): string {
  return encodeIntoCompressedBase64(sketch);
}

export function decodeLatencySketch(encoded: string): LatencySketch {
  return decodeFromCompressedBase64(encoded, 32, false);
}

/** The latency (ms) below which `percentile` % of the recorded answers fall; null when nothing was recorded. */
export function latencyPercentileMs(sketch: LatencySketch, percentile: number): number | null {
  if (sketch.totalCount === 0) return null;
  return sketch.getValueAtPercentile(percentile) / 1000;
}
