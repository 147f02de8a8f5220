import type { Db } from '../db/prisma';
import type { Operation } from '../generated/prisma/client';
import { waitForOperation } from '../operations/wait-for-operation';
import { isFinished } from '../statuses';

/** How often a waiting call looks at its signals: a cancelled client or a stopping server is noticed within this. */
const SLICE_MS = 250;

/**
 * The operation row once it is finished, or as it is at `until` or when any of `signals` aborts (still unfinished then).
 * Works whichever process runs the flow: it reads the database. The signals are polled, not listened to, so nothing
 * attaches to the server-wide stop signal per call.
 */
export async function awaitOperation(prisma: Db, operationId: string, until: number, signals: AbortSignal[]): Promise<Operation> {
  for (;;) {
    const slice = Math.max(0, Math.min(SLICE_MS, until - Date.now()));
    const op = await waitForOperation(prisma, operationId, slice);
    // The row is written before the flow is enqueued; its absence means it was deleted with its project.
    if (!op) throw new Error(`operation ${operationId} disappeared while waiting for it`);
    if (isFinished(op) || signals.some((s) => s.aborted) || Date.now() >= until) return op;
  }
}
