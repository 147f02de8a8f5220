import type { Db } from '../db/prisma';
import { announcesFinished } from '../events/operation-event';
import type { OperationWatcher } from '../events/operation-watcher';
import type { Operation } from '../generated/prisma/client';
import { isFinished } from '../statuses';

/** What waiting for an operation needs: the database (the truth) and the process's watcher of operation events. */
export interface OperationWaitDeps {
  prisma: Db;
  watcher: OperationWatcher;
}

const isUnfinished = (op: Pick<Operation, 'state'>) => !isFinished(op);

/**
 * Waits until the operation is finished, `timeoutMs` passed or one of `signals` aborted, and returns the row as it is
 * then (still unfinished on timeout or abort; null if there is no such operation). Works whichever process runs the
 * flow: the engine announces the finish over Redis after committing it.
 *
 * Subscribes first, then reads, so the finish cannot slip between the two. Reads the row once at the start, once
 * per event announcing the finish (normally one), once per fallback interval with nothing heard (a lost event), and
 * once more at the deadline: a handful of reads, however long the wait.
 */
export async function waitForOperation(deps: OperationWaitDeps, operationId: string, timeoutMs: number, signals: AbortSignal[] = []): Promise<Operation | null> {
  const until = Date.now() + timeoutMs;
  const watch = await deps.watcher.watch(operationId);
  const wake = () => watch.wake();
  for (const signal of signals) signal.addEventListener('abort', wake);
  const over = () => Date.now() >= until || signals.some((s) => s.aborted);
  try {
    let last = false;
    for (;;) {
      const op = await deps.prisma.operation.findUnique({ where: { id: operationId } });
      if (last || !op || !isUnfinished(op) || over()) return op;
      for (;;) {
        const news = await watch.next(until);
        // A closed watcher (the process is stopping) hears nothing more: answer with one more read.
        last = news.closed;
        if (last || news.resync || news.events.some((e) => announcesFinished(e, operationId)) || over()) break;
      }
    }
  } finally {
    for (const signal of signals) signal.removeEventListener('abort', wake);
    watch.close();
  }
}
