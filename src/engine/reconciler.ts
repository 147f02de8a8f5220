import { Job } from 'bullmq';
import type { EngineDeps } from './engine-deps';
import { enqueueCompensation } from './compensation';
import { enqueueOperation } from './enqueue-operation';
import { handleFinalFailure } from './final-failure';
import { completeOperation } from './operation-completion';
import { removeKraneOrphans } from './krane-orphans';
import { kraneSpecOf } from './krane-spec';
import { withRedisLease } from './redis-lease';
import type { OperationJobData } from './job-data';
import { operationJobId, stepJobId } from './queue-names';
import { COMPENSATE_STEP } from './step-names';
import { syncInstances } from './sync-instances';

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

/** Operations younger than this are left alone: their flow may simply not have been enqueued yet. */
const GRACE_MS = 10_000;
const BATCH = 100;
const MAX_OPERATIONS_PER_PASS = 5_000;
/** A pass holds this lease; one whose process died blocks the next passes for at most this long. */
const PASS_LEASE_MS = 30_000;

export function reconcilerLeaseKey(prefix: string): string {
  return `${prefix}:reconciler:lease`;
}

/**
 * One pass of the reconciler (SPEC §5): heals what a crash or a lost Redis write can leave behind.
 * - an unfinished operation whose root job is missing → its flow is enqueued again (ids are deterministic, steps idempotent);
 * - an unfinished operation whose root job failed → the operation is resolved as failed (with compensation);
 * - a failed or cancelled deploy not compensated yet → its compensation is (re)queued;
 * - Instance rows of routed, ready deployments are refreshed from Krane; one that Krane no longer knows (e.g. the embedded
 *   Krane restarted) is created again, so what the routes point at keeps running;
 * - Krane deployments the database says are gone are removed (Krane drivers that can list what they run: docker).
 */
export async function reconcileOnce(deps: EngineDeps, now = Date.now()): Promise<ReconcileReport> {
  // Single-flight across processes: two overlapping passes would both find the same lost flow and heal it twice
  // (the scheduler's job and a pass started by hand, or a pass that outlived its interval).
  const outcome = await withRedisLease(deps.redis, reconcilerLeaseKey(deps.queues.prefix), PASS_LEASE_MS, () => reconcilePass(deps, now));
  if (outcome.ran) return outcome.value;
  return {
    reenqueued: [],
    failedLostFlows: [],
    compensations: [],
    instancesRefreshed: 0,
    recreatedInKrane: [],
    orphansRemoved: [],
    skipped: `another reconciler pass is running (${outcome.heldBy ?? 'just finished'})`,
  };
}

async function reconcilePass(deps: EngineDeps, now: number): Promise<ReconcileReport> {
  const report: ReconcileReport = { reenqueued: [], failedLostFlows: [], compensations: [], instancesRefreshed: 0, recreatedInKrane: [], orphansRemoved: [] };
  const { prisma, queues } = deps;
  const cutoff = new Date(now - GRACE_MS);

  // Every unfinished operation is looked at, page by page (ids sort by time): operations that are merely long-running
  // (a deploy polling, a switch waiting its turn) must not hide a lost flow behind them.
  let after: string | undefined;
  for (let looked = 0; looked < MAX_OPERATIONS_PER_PASS; ) {
    const page = await prisma.operation.findMany({
      where: { state: { in: ['queued', 'running'] }, createdAt: { lt: cutoff }, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: BATCH,
      select: { id: true },
    });
    for (const op of page) {
      try {
        await healOperation(deps, op.id, report);
      } catch (err) {
        // One operation that cannot be healed must not stop the pass for every other one.
        deps.logger.warn('reconciler could not heal an operation', { operationId: op.id, error: (err as Error).message });
      }
    }
    looked += page.length;
    if (page.length < BATCH) break;
    after = page[page.length - 1].id;
  }

  const uncompensated = await prisma.deployment.findMany({
    where: { status: { in: ['failed', 'cancelled'] }, compensatedAt: null, updatedAt: { lt: cutoff } },
    take: BATCH,
    select: { id: true },
  });
  for (const d of uncompensated) {
    const op = await prisma.operation.findFirst({ where: { deploymentId: d.id, kind: 'deploy' }, orderBy: { createdAt: 'asc' } });
    if (!op) continue;
    const job = await Job.fromId(queues.steps, stepJobId(op.id, COMPENSATE_STEP));
    if (job && (await job.isFailed())) await job.retry();
    else if (!job) await enqueueCompensation(deps, d.id, op.id);
    else continue;
    report.compensations.push(d.id);
  }

  const routed = await prisma.deployment.findMany({
    where: { status: 'ready', id: { in: (await prisma.ingressRoute.findMany({ distinct: ['deploymentId'], select: { deploymentId: true } })).map((r) => r.deploymentId) } },
    include: { project: { include: { workspace: true } } },
    // Least recently refreshed first, so every routed deployment gets its turn however many there are.
    orderBy: { updatedAt: 'asc' },
    take: BATCH,
  });
  for (const d of routed) {
    try {
      const namespace = d.project.workspace.slug;
      let instances = await deps.krane.get(namespace, d.id);
      if (instances.length === 0) {
        const created = await deps.krane.create(kraneSpecOf(d, namespace));
        if (!created.alreadyExisted) report.recreatedInKrane.push(d.id);
        instances = await deps.krane.get(namespace, d.id);
      }
      await syncInstances(prisma, d.id, instances);
      await prisma.deployment.update({ where: { id: d.id }, data: { updatedAt: new Date() } });
      report.instancesRefreshed += instances.length;
    } catch (err) {
      deps.logger.warn('reconciler could not refresh instances', { deploymentId: d.id, error: (err as Error).message });
    }
  }
  try {
    report.orphansRemoved = await removeKraneOrphans(deps);
  } catch (err) {
    deps.logger.warn('reconciler could not look for orphaned Krane deployments', { error: (err as Error).message });
  }
  if (report.reenqueued.length || report.failedLostFlows.length || report.compensations.length || report.recreatedInKrane.length || report.orphansRemoved.length) {
    deps.logger.info('reconciled', { ...report });
  }
  return report;
}

async function healOperation(deps: EngineDeps, operationId: string, report: ReconcileReport): Promise<void> {
  const root = await Job.fromId<OperationJobData>(deps.queues.operations, operationJobId(operationId));
  const state = root ? await root.getState() : 'unknown';
  if (state === 'unknown') {
    await enqueueOperation(deps, operationId);
    report.reenqueued.push(operationId);
  } else if (state === 'failed' && !/^child /.test(root!.failedReason ?? '')) {
    // Every step succeeded; the root itself ran out of attempts (e.g. the database was down): finish it now.
    await completeOperation(deps, root!);
  } else if (state === 'failed') {
    await handleFinalFailure(deps, root!.data, 'reconcile', new Error(root!.failedReason || 'the flow failed'));
    report.failedLostFlows.push(operationId);
  } else if (state === 'completed') {
    // The root job ran but the process died before the operation row was updated.
    const { count } = await deps.prisma.operation.updateMany({
      where: { id: operationId, state: { in: ['queued', 'running'] } },
      data: { state: 'succeeded', finishedAt: new Date(), result: (root!.returnvalue ?? {}) as object },
    });
    if (count) deps.events.publish({ type: 'operation', operationId, state: 'succeeded', kind: root!.data.kind, deploymentId: root!.data.deploymentId });
  }
}

/** Registers the reconciler as a BullMQ job scheduler: one run every `everyMs`, whichever worker picks it up. */
export async function scheduleReconciler(deps: EngineDeps, everyMs: number): Promise<void> {
  await deps.queues.operations.upsertJobScheduler(RECONCILE_JOB, { every: everyMs }, { name: RECONCILE_JOB, opts: { removeOnComplete: 100, removeOnFail: 100 } });
}
