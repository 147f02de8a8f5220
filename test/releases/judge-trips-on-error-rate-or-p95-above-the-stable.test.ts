import { judgeWindow, type JudgeThresholds, type SideFigures } from '../../src/releases/judge';

const t: JudgeThresholds = { maxErrorRateIncreasePoints: 5, maxP95IncreasePercent: 50, minP95IncreaseMs: 10, minRequests: 20 };
const side = (requests: number, errors5xx: number, p95Ms: number | null): SideFigures => ({ requests, errors5xx, errorRate: requests ? errors5xx / requests : 0, p95Ms });

describe('the release judge', () => {
  it('gives no verdict below minRequests, however bad the canary looks', () => {
    expect(judgeWindow(side(19, 19, 5000), side(500, 0, 5), t)).toEqual({ verdict: 'too-few-requests', canaryRequests: 19, minRequests: 20 });
    expect(judgeWindow(side(0, 0, null), side(0, 0, null), { ...t, minRequests: 0 }).verdict).toBe('too-few-requests');
  });

  it('trips when the canary 5xx rate exceeds the stable one by more than the points allowed', () => {
    const v = judgeWindow(side(100, 16, 5), side(100, 10, 5), t);
    expect(v).toMatchObject({ verdict: 'trip', rule: 'error-rate' });
    expect(v.verdict === 'trip' && v.detail).toContain('16.00%');
  });

  it('does not trip at exactly the allowed increase, nor when the stable fails as much', () => {
    expect(judgeWindow(side(100, 15, 5), side(100, 10, 5), t).verdict).toBe('healthy');
    expect(judgeWindow(side(100, 50, 5), side(100, 50, 5), t).verdict).toBe('healthy');
  });

  it('compares with an error rate of 0 when the stable served nothing in the window', () => {
    expect(judgeWindow(side(40, 4, 5), side(0, 0, null), t)).toMatchObject({ verdict: 'trip', rule: 'error-rate' });
    expect(judgeWindow(side(40, 2, 500), side(0, 0, null), t).verdict).toBe('healthy');
  });

  it('trips when the canary p95 exceeds the stable p95 by more than the percentage and the slack', () => {
    expect(judgeWindow(side(100, 0, 200), side(100, 0, 100), t)).toMatchObject({ verdict: 'trip', rule: 'p95-latency' });
    expect(judgeWindow(side(100, 0, 150), side(100, 0, 100), t).verdict).toBe('healthy');
  });

  it('ignores latency increases within minP95IncreaseMs (1 ms -> 4 ms is noise)', () => {
    expect(judgeWindow(side(100, 0, 4), side(100, 0, 1), t).verdict).toBe('healthy');
    expect(judgeWindow(side(100, 0, 4), side(100, 0, 1), { ...t, minP95IncreaseMs: 0 })).toMatchObject({ verdict: 'trip', rule: 'p95-latency' });
  });

  it('names the error rule first when both trip', () => {
    expect(judgeWindow(side(100, 50, 900), side(100, 0, 10), t)).toMatchObject({ rule: 'error-rate' });
  });
});
