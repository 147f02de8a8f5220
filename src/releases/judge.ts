/**
 * The judging rule of a rolling release and of a health watch (issue 15), as a pure function of two sides' figures:
 * the canary (or the newly live deployment) against the stable one (or the one it replaced).
 */

/** What the gateways counted for one deployment over one window (the shape `readDeploymentWindow` answers). */
export interface SideFigures {
  requests: number;
  errors5xx: number;
  /** 0..1, 0 when there were no requests. */
  errorRate: number;
  p95Ms: number | null;
}

export interface JudgeThresholds {
  /** Abort when canary errorRate - stable errorRate > points / 100. */
  maxErrorRateIncreasePoints: number;
  /** Abort when canary p95 > stable p95 * (1 + percent / 100) ... */
  maxP95IncreasePercent: number;
  /** ... and by more than this many milliseconds (a 1 ms -> 2 ms p95 is noise, not a regression). */
  minP95IncreaseMs: number;
  /** No verdict below this many canary requests in the window. */
  minRequests: number;
}

export type Verdict =
  | { verdict: 'too-few-requests'; canaryRequests: number; minRequests: number }
  | { verdict: 'healthy' }
  | { verdict: 'trip'; rule: 'error-rate' | 'p95-latency'; detail: string };

const pct = (rate: number) => `${(rate * 100).toFixed(2)}%`;

/**
 * The verdict on one window. The error-rate rule is checked first: a canary failing requests outright is the clearer
 * reason to give. The latency rule needs a stable p95 to compare with (a stable that served nothing in the window has
 * none; then only the error rule applies, against a stable error rate of 0).
 */
export function judgeWindow(canary: SideFigures, stable: SideFigures, t: JudgeThresholds): Verdict {
  if (canary.requests < t.minRequests || canary.requests === 0) {
    return { verdict: 'too-few-requests', canaryRequests: canary.requests, minRequests: t.minRequests };
  }
  const increase = canary.errorRate - stable.errorRate;
  // A tiny epsilon so that exactly-at-threshold figures (0.15 - 0.05 vs 0.10) do not trip through float error.
  if (increase > t.maxErrorRateIncreasePoints / 100 + 1e-9) {
    return {
      verdict: 'trip',
      rule: 'error-rate',
      detail:
        `canary 5xx rate ${pct(canary.errorRate)} (${canary.errors5xx}/${canary.requests}) exceeds the stable's ${pct(stable.errorRate)} ` +
        `(${stable.errors5xx}/${stable.requests}) by more than ${t.maxErrorRateIncreasePoints} points`,
    };
  }
  if (canary.p95Ms !== null && stable.p95Ms !== null && stable.requests > 0) {
    const limit = stable.p95Ms * (1 + t.maxP95IncreasePercent / 100);
    if (canary.p95Ms > limit && canary.p95Ms - stable.p95Ms > t.minP95IncreaseMs) {
      return {
        verdict: 'trip',
        rule: 'p95-latency',
        detail: `canary p95 ${canary.p95Ms} ms exceeds the stable's ${stable.p95Ms} ms by more than ${t.maxP95IncreasePercent}% (and ${t.minP95IncreaseMs} ms)`,
      };
    }
  }
  return { verdict: 'healthy' };
}
