import { ensureCompensation } from '../engine/compensation';
import { withRedisLease } from '../engine/redis-lease';
import { removeKraneOrphans } from '../deployments/krane-orphans';
import { refreshRoutedInstances } from '../deployments/refresh-routed-instances';
import { uncompensatedDeploys } from '../deployments/uncompensated-deploys';
import type { DeployflowDeps } from './deployflow-deps';

export const RECONCILE_JOB = 'reconcile';

export interface ReconcileReport {
  reenqueued: string[];
  failedLostFlows: string[];
  compensations: string[];
  instancesRefreshed: number;
  recreatedInKrane: string[];
  /** `namespace/deploymentId` of Krane deployments removed because the database says they are gone. */
  orphansRemoved: string[];
  /** Set when another pass (in this or another process) was running: this one did nothing. */
  skipped?: string;
}

/** Failed deploys younger than this are left alone: their compensation job may just be on its way. */
const GRACE_MS = 10_000;
/** A pass holds this lease; one whose process died blocks the next passes for at most this long. */
const PASS_LEASE_MS = 30_000;

export function reconcilerLeaseKey(prefix: string): string {
  return `${prefix}:reconciler:lease`;
}

function emptyReport(): ReconcileReport {
  return { reenqueued: [], failedLostFlows: [], compensations: [], instancesRefreshed: 0, recreatedInKrane: [], orphansRemoved: [] };
}

/**
 * One pass of the reconciler (SPEC §5): heals what a crash or a lost Redis write can leave behind.
 * - operations whose flows were lost or failed unseen (the engine's flow healing);
 * - a failed, cancelled or superseded deploy not compensated yet → its compensation is (re)queued;
 * - Instance rows of routed, ready deployments are refreshed from Krane; one that Krane no longer knows (e.g. the embedded
 *   Krane restarted) is created again, so what the routes point at keeps running;
 * - Krane deployments the database says are gone are removed (Krane drivers that can list what they run: docker).
 */
export async function reconcileOnce(deps: DeployflowDeps, now = Date.now()): Promise<ReconcileReport> {
  // Single-flight across processes: two overlapping passes would both find the same lost flow and heal it twice
  // (the scheduler's job and a pass started by hand, or a pass that outlived its interval).
  const outcome = await withRedisLease(deps.redis, reconcilerLeaseKey(deps.prefix), PASS_LEASE_MS, () => reconcilePass(deps, now));
  if (outcome.ran) return outcome.value;
  return { ...emptyReport(), skipped: `another reconciler pass is running (${outcome.heldBy ?? 'just finished'})` };
}

async function reconcilePass(deps: DeployflowDeps, now: number): Promise<ReconcileReport> {
  const report = emptyReport();
  Object.assign(report, await deps.engine.healFlows(now));

  for (const { deploymentId, operationId } of await uncompensatedDeploys(deps.prisma, new Date(now - GRACE_MS))) {
    if (await ensureCompensation(deps.engine.context, deps.engine.flows, operationId)) report.compensations.push(deploymentId);
  }
  Object.assign(report, await refreshRoutedInstances(deps));
  try {
    report.orphansRemoved = await removeKraneOrphans(deps);
  } catch (err) {
    deps.logger.warn('reconciler could not look for orphaned Krane deployments', { error: err instanceof Error ? err.message : String(err) });
  }
  if (report.reenqueued.length || report.failedLostFlows.length || report.compensations.length || report.recreatedInKrane.length || report.orphansRemoved.length) {
    deps.logger.info('reconciled', { ...report });
  }
  return report;
}
