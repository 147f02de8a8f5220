import type { Db } from '../db/prisma';
import type { Operation } from '../generated/prisma/client';
import { isFinished } from '../statuses';

/**
 * Waits until the operation is finished or timeoutMs passed, and returns the row as it is then
 * (still unfinished on timeout). Polls the database: works from any process, whoever runs the flow.
 */
export async function waitForOperation(prisma: Db, operationId: string, timeoutMs: number, intervalMs = 50): Promise<Operation | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const op = await prisma.operation.findUnique({ where: { id: operationId } });
    if (!op || isFinished(op) || Date.now() >= deadline) return op;
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(1, deadline - Date.now()))));
  }
}
