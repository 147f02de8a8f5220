import type { Queue } from 'bullmq';
import type { Operation } from '../generated/prisma/client';
import { MalformedJobError } from './errors';
import type { EngineContext } from './engine-context';
import { buildFlowJob } from './flow-job';
import type { FlowRegistry } from './flow-registry';
import { firstIssue, OperationJobData } from './job-data';
import { stepJobId } from './queue-names';
import { stepRecords } from './step-records';

/** The producer side of the engine: puts operations on the queues. Needs no workers and no Krane. */
export interface OperationProducer {
  /**
   * Puts an operation's flow on the queues. Safe to call again for the same operation (deterministic job ids): the API
   * calls it after committing the operation row, the reconciler calls it for operations whose flow is missing.
   */
  enqueue(operationId: string, known?: KnownOperation): Promise<void>;
  /** Every queue, for the dashboard. */
  queues(): Queue[];
}

/**
 * What a request that just recorded an operation already holds: the row it inserted and, when it read what the
 * operation acts on, the subject its jobs are named after. Handed to `enqueue`, it saves the reads that would fetch
 * them again (one after the other, on the request's path to its flow). Without it, both are read.
 */
export interface KnownOperation {
  operation: Operation;
  subject?: string;
  /**
   * Fields of the job data that the request read and the operation row does not hold (a switch's Krane namespace),
   * so a step need not read them again; validated by the flow's schema like the rest. A flow re-enqueued from its row
   * alone (the reconciler) goes without them, and its steps read them.
   */
  data?: Record<string, unknown>;
}

/** The job data of an operation row, as its flow defines it; a row missing what the flow needs is refused clearly. */
export async function operationJobData(engine: EngineContext, flows: FlowRegistry, operationId: string, known?: KnownOperation): Promise<OperationJobData> {
  const op = known?.operation.id === operationId ? known.operation : await engine.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
  const flow = flows.of(op.kind);
  // The request id rides along in every job's data, so each step's log lines name the request (re-enqueues keep it).
  const requestId = op.requestId ? { requestId: op.requestId } : {};
  const extra = known?.operation.id === operationId ? known.data : undefined;
  const parsed = flow.data.safeParse({ ...extra, operationId: op.id, kind: op.kind, projectId: op.projectId, ...requestId, ...(flow.fromOperation(op) as object) });
  if (!parsed.success) throw new MalformedJobError(op.id, firstIssue(parsed.error));
  // Only a name for people: kept short, and never a reason to refuse a job (the schema takes any string).
  const subject = (known?.operation.id === operationId && known.subject !== undefined ? known.subject : await flow.subject?.(engine.prisma, parsed.data))?.slice(0, 120);
  return subject ? { ...parsed.data, subject } : parsed.data;
}

export function createOperationProducer(engine: EngineContext, flows: FlowRegistry): OperationProducer {
  return {
    async enqueue(operationId, known) {
      const data = await operationJobData(engine, flows, operationId, known);
      const flow = flows.of(data.kind);
      const jobIdOf = (step: { name: string }) => stepJobId(data.operationId, step.name);
      // Places are taken before the flow is added (e.g. in the project's routing order): a step can run as soon as
      // its flow exists, and a routing step that ran and finished before a place taken afterwards was taken for it
      // would leave that place behind with no job to serve it, holding up the project's next switch until its
      // waiters noticed the holder had vanished (seconds). A flow that could not be added gives its places back.
      for (const { step } of flow.steps) await step.onEnqueued?.(engine, data, jobIdOf(step));
      // The pending rows of the whole flow, so the timeline shows what is still to come, written while the flow is
      // added rather than before it (one round trip less on every request). Neither depends on the other: a step
      // that starts first upserts its own row, and the plan then skips it; a failure of either fails the request, and
      // a repeat (the reconciler's, a retried request) completes whatever is missing, as both are idempotent.
      const planned = stepRecords.plan(engine, data.ownerId, data.operationId, flow.steps.map((s) => s.step.name));
      const added = engine.queues.flows.add(buildFlowJob(flow, data, engine.settings));
      const [plan, add] = await Promise.allSettled([planned, added]);
      if (add.status === 'rejected') {
        // Nothing may wait for a job never enqueued. (Had the add landed after all, its step takes a place anew.)
        for (const { step } of flow.steps) await step.onOperationEnded?.(engine, data, jobIdOf(step)).catch(() => undefined);
        throw add.reason;
      }
      if (plan.status === 'rejected') throw plan.reason;
    },
    queues: () => engine.queues.all(),
  };
}
