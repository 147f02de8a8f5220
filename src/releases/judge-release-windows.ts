import type { Release } from '../generated/prisma/client';
import type { RedisConnection } from '../redis/connection';
import { readFigures, type FigureWindow } from './gateway-figures';
import { judgeWindow, type SideFigures } from './judge';
import type { PolicySnapshot } from './release-policy';
import type { Tripped } from './release-record';

/**
 * The gateways flush their counts once a second, per whole second: the newest second is still arriving when the judge
 * looks, so the recent window reaches one second further back than the judging window itself.
 */
export const FLUSH_LAG_MS = 1000;

export interface JudgedRelease {
  tripped?: Tripped;
  /** The stage so far, for the release's view and the step's progress. */
  whole: { window: FigureWindow; canary: SideFigures; stable: SideFigures };
  recentVerdict: string;
}

/**
 * Judges a release's current stage twice: over its last `judgeWindowSeconds` (so a bad canary is caught within a
 * second or two of its first bad answers) and over the whole stage so far (so a canary too quiet for the short window
 * is still judged once it has answered `minRequests`). Either one tripping is the verdict.
 */
export async function judgeReleaseNow(
  redis: RedisConnection,
  prefix: string,
  release: Pick<Release, 'canaryDeploymentId' | 'stableDeploymentId' | 'stageStartedAt'>,
  policy: PolicySnapshot,
  now = Date.now(),
): Promise<JudgedRelease> {
  return judgeSides(redis, prefix, release.canaryDeploymentId, release.stableDeploymentId, release.stageStartedAt.getTime(), policy, now);
}

/** The same judgment for any two deployments and a start: a release's stage, or a health watch against a baseline. */
export async function judgeSides(
  redis: RedisConnection,
  prefix: string,
  canaryId: string,
  stableId: string,
  startMs: number,
  policy: PolicySnapshot,
  now = Date.now(),
  stableWindowOf: (w: FigureWindow) => FigureWindow = (w) => w,
): Promise<JudgedRelease> {
  const recent = { fromMs: Math.max(startMs, now - policy.judgeWindowSeconds * 1000 - FLUSH_LAG_MS), toMs: now };
  const whole = { fromMs: startMs, toMs: now };
  const [canaryRecent, stableRecent, canaryWhole, stableWhole] = await Promise.all([
    readFigures(redis, prefix, canaryId, recent),
    readFigures(redis, prefix, stableId, stableWindowOf(recent)),
    readFigures(redis, prefix, canaryId, whole),
    readFigures(redis, prefix, stableId, stableWindowOf(whole)),
  ]);
  const result: JudgedRelease = { whole: { window: whole, canary: canaryWhole, stable: stableWhole }, recentVerdict: '' };
  const byRecent = judgeWindow(canaryRecent, stableRecent, policy);
  result.recentVerdict = byRecent.verdict;
  if (byRecent.verdict === 'trip') {
    result.tripped = { rule: byRecent.rule, detail: `${byRecent.detail} (last ${Math.round((recent.toMs - recent.fromMs) / 1000)} s)`, window: recent, canary: canaryRecent, stable: stableRecent };
    return result;
  }
  const byWhole = judgeWindow(canaryWhole, stableWhole, policy);
  if (byWhole.verdict === 'trip') {
    result.tripped = { rule: byWhole.rule, detail: `${byWhole.detail} (over the stage so far)`, window: whole, canary: canaryWhole, stable: stableWhole };
  }
  return result;
}
