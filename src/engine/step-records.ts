import { newId } from '../ids';
import type { Db } from '../db/prisma';

const MAX_TEXT = 2000;
const clip = (text: string | undefined | null) => (text == null ? null : text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) + '…' : text);

/** Milliseconds between two instants of a row, when both are known. */
export function elapsedMs(from: Date | null, to: Date | null): number | undefined {
  return from && to ? Math.max(0, to.getTime() - from.getTime()) : undefined;
}

/** The DeploymentStep rows: the timeline users read. One row per (owner, step), written idempotently. */
export const stepRecords = {
  async running(prisma: Db, row: { ownerId: string; operationId: string; name: string; position: number; attempts: number }) {
    const now = new Date();
    // One statement on the hot path of every step. Rows planned up front have no start yet; a retried step keeps its first.
    await prisma.$executeRaw`
      INSERT INTO "DeploymentStep" ("id", "ownerId", "operationId", "name", "position", "status", "attempts", "startedAt", "updatedAt")
      VALUES (${newId('stp')}, ${row.ownerId}, ${row.operationId}, ${row.name}, ${row.position}, 'running', ${row.attempts}, ${now}, ${now})
      ON CONFLICT ("ownerId", "name") DO UPDATE SET
        "status" = 'running', "attempts" = EXCLUDED."attempts", "error" = NULL,
        "startedAt" = COALESCE("DeploymentStep"."startedAt", EXCLUDED."startedAt"), "updatedAt" = EXCLUDED."updatedAt"`;
  },

  /** Returns how long the step took, from its first start (retries and polling included) to now. */
  async succeeded(prisma: Db, ownerId: string, name: string, output: string | undefined): Promise<number | undefined> {
    const row = await prisma.deploymentStep.update({
      where: { ownerId_name: { ownerId, name } },
      data: { status: 'succeeded', endedAt: new Date(), output: clip(output), error: null },
      select: { startedAt: true, endedAt: true },
    });
    return elapsedMs(row.startedAt, row.endedAt);
  },

  /** How long a finished step took, from its first start to its end (undefined if it never started or ended). */
  async durationMs(prisma: Db, ownerId: string, name: string): Promise<number | undefined> {
    const row = await prisma.deploymentStep.findUnique({ where: { ownerId_name: { ownerId, name } }, select: { startedAt: true, endedAt: true } });
    return row ? elapsedMs(row.startedAt, row.endedAt) : undefined;
  },

  /** A failed attempt: `final` ends the step; otherwise it will be retried and stays running. */
  async failed(prisma: Db, ownerId: string, name: string, error: string, final: boolean, status: 'failed' | 'cancelled' = 'failed') {
    await prisma.deploymentStep.updateMany({
      where: { ownerId, name },
      data: final ? { status, endedAt: new Date(), error: clip(error) } : { error: clip(error) },
    });
  },

  async progress(prisma: Db, ownerId: string, name: string, output: string) {
    await prisma.deploymentStep.updateMany({ where: { ownerId, name, status: 'running' }, data: { output: clip(output) } });
  },

  /** Creates the pending rows of a whole flow up front so the timeline shows what is still to come. */
  async plan(prisma: Db, ownerId: string, operationId: string, names: readonly string[]) {
    await prisma.deploymentStep.createMany({
      data: names.map((name, position) => ({ id: newId('stp'), ownerId, operationId, name, position, status: 'pending' as const })),
      skipDuplicates: true,
    });
  },

  /** Steps left unfinished when an operation rolls forward after its route change committed. */
  async completeByRollForward(prisma: Db, ownerId: string, output: string) {
    await prisma.deploymentStep.updateMany({
      where: { ownerId, status: { in: ['pending', 'running', 'failed'] } },
      data: { status: 'succeeded', endedAt: new Date(), output: clip(output) },
    });
  },

  /** Steps that never ran because the operation ended earlier. */
  async skipRemaining(prisma: Db, ownerId: string, status: 'skipped' | 'cancelled' = 'skipped') {
    await prisma.deploymentStep.updateMany({ where: { ownerId, status: 'pending' }, data: { status } });
  },
};
