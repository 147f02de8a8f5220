import type { Db } from '../db/prisma';
import type { OperationState } from '../generated/prisma/client';
import { writerSql, type StateWriter } from './engine-context';
import { operationSubjects } from './state-events';

/**
 * What each state of an operation means to the engine: whether its flow has ended it. A state added to the schema
 * fails the type-check here until it is placed. The application imports these from src/statuses.ts, with the
 * deployment statuses.
 */
const OPERATION_STATE = {
  queued: { finished: false },
  running: { finished: false },
  succeeded: { finished: true },
  failed: { finished: true },
  cancelled: { finished: true },
  superseded: { finished: true },
} as const satisfies Record<OperationState, { finished: boolean }>;

/** queued, running: the operation's flow has yet to end it. */
export const UNFINISHED_STATES: OperationState[] = (Object.keys(OPERATION_STATE) as OperationState[]).filter((s) => !OPERATION_STATE[s].finished);
/** succeeded, failed, cancelled, superseded: ended once, never rewritten. */
export const FINISHED_STATES: OperationState[] = (Object.keys(OPERATION_STATE) as OperationState[]).filter((s) => OPERATION_STATE[s].finished);

export function isFinished(op: { state: OperationState }): boolean {
  return OPERATION_STATE[op.state].finished;
}

/** Which operation a write concerns, and the owner of its step rows (who hears its changes too), when known. */
export interface OperationRef {
  operationId: string;
  ownerId?: string;
}

/**
 * How long a finished operation took, from its request being accepted (queue time included: what the requester
 * waited) to its end; undefined while it runs.
 */
export async function operationDurationMs(prisma: Db, operationId: string): Promise<number | undefined> {
  const op = await prisma.operation.findUnique({ where: { id: operationId }, select: { createdAt: true, finishedAt: true } });
  return op?.finishedAt ? Math.max(0, op.finishedAt.getTime() - op.createdAt.getTime()) : undefined;
}

/**
 * An operation's end, past Prisma's client runtime (src/db/sql.ts): only from an unfinished state; a detail not given
 * is left as it is (as Prisma's update leaves an undefined field).
 */
const OPERATION_FINISHED = `UPDATE "Operation" SET "state" = $2::"OperationState", "finishedAt" = $3,
    "errorCode" = COALESCE($4::text, "errorCode"), "errorMessage" = COALESCE($5::text, "errorMessage"), "result" = COALESCE($6::jsonb, "result")
  WHERE "id" = $1 AND "state" IN (${UNFINISHED_STATES.map((s) => `'${s}'`).join(', ')})
  RETURNING "createdAt", "finishedAt"`;

/** What ending an operation did: whether this call ended it, and how long the operation took (as operationDurationMs). */
export interface OperationEnd {
  ended: boolean;
  durationMs: number | undefined;
}

/**
 * Ends an operation once: a finished operation is never rewritten. The end is announced once it committed, to the
 * operation's waiters and to its step rows' owner (a deploy's finish reaches its deployment's event stream). The
 * update returns the instants the duration is taken from, so ending costs one statement; only a call that finds the
 * operation ended already (a root job run again) reads them.
 */
export async function finishOperation(
  writer: StateWriter,
  { operationId, ownerId }: OperationRef,
  state: 'succeeded' | 'failed' | 'cancelled' | 'superseded',
  details: { errorCode?: string; errorMessage?: string; result?: object } = {},
): Promise<OperationEnd> {
  const result = details.result === undefined ? null : JSON.stringify(details.result);
  const rows = await writerSql(writer).query<{ createdAt: Date; finishedAt: Date | null }>(OPERATION_FINISHED, [
    operationId,
    state,
    new Date(),
    details.errorCode ?? null,
    details.errorMessage ?? null,
    result,
  ]);
  if (rows.length !== 1) return { ended: false, durationMs: await operationDurationMs(writer.prisma, operationId) };
  writer.events.publish(operationSubjects(operationId, ownerId), { type: 'operation', operationId, state });
  const [{ createdAt, finishedAt }] = rows;
  return { ended: true, durationMs: finishedAt ? Math.max(0, finishedAt.getTime() - createdAt.getTime()) : undefined };
}
