import type { Job } from 'bullmq';
import { failedThroughChild } from './chain-failure';
import type { EngineContext } from './engine-context';
import { handleFinalFailure } from './final-failure';
import type { FlowRegistry } from './flow-registry';
import { OperationJobData } from './job-data';
import { completeOperation } from './operation-completion';
import { finishOperation } from './operation-state';
import type { OperationProducer } from './producer';
import { operationJobId } from './queue-names';
import { UNFINISHED_STATES } from './operation-state';

export interface FlowHealingReport {
  /** Operations whose flow was missing from Redis and was enqueued again. */
  reenqueued: string[];
  /** Operations whose flow failed without the failure being recorded: resolved as failed now. */
  failedLostFlows: string[];
}

/** Operations younger than this are left alone: their flow may simply not have been enqueued yet. */
const GRACE_MS = 10_000;
const BATCH = 100;
const MAX_OPERATIONS_PER_PASS = 5_000;

/**
 * Heals what a crash or a lost Redis write can leave between the Operation rows and their flows (SPEC §5):
 * - an unfinished operation whose root job is missing → its flow is enqueued again (ids are deterministic, steps idempotent);
 * - an unfinished operation whose root job failed → resolved as failed (the flow's failure hooks and compensation run),
 *   or completed when every step had succeeded and only the root ran out of attempts;
 * - an unfinished operation whose root job completed → succeeded with the root's result.
 * Every unfinished operation is looked at, page by page: long-running ones (a deploy polling, a switch waiting its
 * turn) cannot hide a lost flow behind them.
 */
export async function healFlows<Services>(
  engine: EngineContext,
  services: Services,
  flows: FlowRegistry,
  producer: OperationProducer,
  now = Date.now(),
): Promise<FlowHealingReport> {
  const report: FlowHealingReport = { reenqueued: [], failedLostFlows: [] };
  const cutoff = new Date(now - GRACE_MS);
  let after: string | undefined;
  for (let looked = 0; looked < MAX_OPERATIONS_PER_PASS; ) {
    const page = await engine.prisma.operation.findMany({
      where: { state: { in: UNFINISHED_STATES }, createdAt: { lt: cutoff }, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: BATCH,
      select: { id: true },
    });
    for (const op of page) {
      try {
        await healOperation(engine, services, flows, producer, op.id, report);
      } catch (err) {
        // One operation that cannot be healed must not stop the pass for every other one.
        engine.logger.warn('reconciler could not heal an operation', { operationId: op.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
    looked += page.length;
    if (page.length < BATCH) break;
    after = page[page.length - 1].id;
  }
  return report;
}

async function healOperation<Services>(
  engine: EngineContext,
  services: Services,
  flows: FlowRegistry,
  producer: OperationProducer,
  operationId: string,
  report: FlowHealingReport,
): Promise<void> {
  const root: Job | undefined = await engine.queues.operations.getJob(operationJobId(operationId));
  if (!root) {
    await producer.enqueue(operationId);
    report.reenqueued.push(operationId);
    return;
  }
  const state = await root.getState();
  if (state !== 'failed' && state !== 'completed') return;
  const data = OperationJobData.parse(root.data);
  if (state === 'failed' && !(await failedThroughChild(root))) {
    // Every step succeeded; the root itself ran out of attempts (e.g. the database was down): finish it now.
    await completeOperation(engine, services, flows.of(data.kind), data);
  } else if (state === 'failed') {
    await handleFinalFailure(engine, services, flows.of(data.kind), data, 'reconcile', new Error(root.failedReason || 'the flow failed'));
    report.failedLostFlows.push(operationId);
  } else {
    // The root job ran but the process died before the operation row was updated.
    const result: unknown = root.returnvalue;
    await finishOperation(engine, data, 'succeeded', { result: typeof result === 'object' && result !== null ? result : {} });
  }
}
