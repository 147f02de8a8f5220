import { newId } from '../ids';
import type { Db } from '../db/prisma';
import { Prisma } from '../generated/prisma/client';
import type { StateWriter } from './engine-context';
import { operationSubjects, type StepChanged } from './state-events';

const MAX_TEXT = 2000;
const clip = (text: string | undefined | null) => (text == null ? null : text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) + '…' : text);

/** Milliseconds between two instants of a row, when both are known. */
export function elapsedMs(from: Date | null, to: Date | null): number | undefined {
  return from && to ? Math.max(0, to.getTime() - from.getTime()) : undefined;
}

/** Announces a change of the owner's step rows, on the owner's channel (its event stream and waiters hear it). */
function announce({ events }: StateWriter, change: Omit<StepChanged, 'type'>): void {
  const event: StepChanged = { type: 'step', ...change };
  events.publish([change.ownerId], event);
}

/**
 * The DeploymentStep rows: the timeline users read. One row per (owner, step), written idempotently; every change is
 * announced (`events.publish`) right after it committed, so event streams and waiters need not poll.
 */
export const stepRecords = {
  /**
   * The step row `running`, and with `startOperation` the operation `running` too (queued → running, once; a no-op
   * afterwards; the move is announced to the operation and to the rows' owner): one statement on the hot path of every
   * step. Rows planned up front have
   * no start yet; a retried step keeps its first.
   */
  async running(
    writer: StateWriter,
    row: { ownerId: string; operationId: string; name: string; position: number; attempts: number },
    startOperation = false,
    cancelQuery?: Prisma.Sql,
  ): Promise<{ cancel?: { requested: boolean; supersededBy: string | null } }> {
    const { prisma } = writer;
    const now = new Date();
    // The operation's UPDATE rides in a data-modifying CTE; with `startOperation` false it matches no row. The flow's
    // cancellation check, when given, rides as a read-only CTE: the same snapshot a read of its own would have.
    const [result] = await prisma.$queryRaw<{ operationStarted: boolean; cancelRequested: boolean | null; supersededBy: string | null }[]>`
      WITH "started" AS (
        UPDATE "Operation" SET "state" = 'running', "startedAt" = ${now}
        WHERE ${startOperation}::boolean AND "id" = ${row.operationId} AND "state" = 'queued'
        RETURNING "id"),
      "cancel" AS (${cancelQuery ?? Prisma.sql`SELECT NULL::boolean AS "requested", NULL::text AS "supersededBy"`})
      INSERT INTO "DeploymentStep" ("id", "ownerId", "operationId", "name", "position", "status", "attempts", "startedAt", "updatedAt")
      VALUES (${newId('stp')}, ${row.ownerId}, ${row.operationId}, ${row.name}, ${row.position}, 'running', ${row.attempts}, ${now}, ${now})
      ON CONFLICT ("ownerId", "name") DO UPDATE SET
        "status" = 'running', "attempts" = EXCLUDED."attempts", "error" = NULL,
        "startedAt" = COALESCE("DeploymentStep"."startedAt", EXCLUDED."startedAt"), "updatedAt" = EXCLUDED."updatedAt"
      RETURNING EXISTS (SELECT 1 FROM "started") AS "operationStarted",
        (SELECT "requested" FROM "cancel" LIMIT 1) AS "cancelRequested", (SELECT "supersededBy" FROM "cancel" LIMIT 1) AS "supersededBy"`;
    if (result?.operationStarted) writer.events.publish(operationSubjects(row.operationId, row.ownerId), { type: 'operation', operationId: row.operationId, state: 'running' });
    announce(writer, { ownerId: row.ownerId, name: row.name, status: 'running' });
    return cancelQuery ? { cancel: { requested: result?.cancelRequested === true, supersededBy: result?.supersededBy ?? null } } : {};
  },

  /**
   * Returns how long the step took, from its first start (retries and polling included) to now. One raw statement on
   * the hot path of every step: Prisma's model `update` costs about twice the CPU of the same statement sent raw.
   */
  async succeeded(writer: StateWriter, ownerId: string, name: string, output: string | undefined): Promise<number | undefined> {
    const now = new Date();
    const [row] = await writer.prisma.$queryRaw<{ startedAt: Date | string | null }[]>`
      UPDATE "DeploymentStep" SET "status" = 'succeeded', "endedAt" = ${now}, "output" = ${clip(output)}, "error" = NULL, "updatedAt" = ${now}
      WHERE "ownerId" = ${ownerId} AND "name" = ${name}
      RETURNING "startedAt"`;
    // The runner recorded the row's start before running the step: a missing row is a bug, and the step is retried.
    if (!row) throw new Error(`no step row ${name} of ${ownerId} to mark succeeded`);
    announce(writer, { ownerId, name, status: 'succeeded' });
    return elapsedMs(row.startedAt === null ? null : new Date(row.startedAt), now);
  },

  /** How long a finished step took, from its first start to its end (undefined if it never started or ended). */
  async durationMs(prisma: Db, ownerId: string, name: string): Promise<number | undefined> {
    const row = await prisma.deploymentStep.findUnique({ where: { ownerId_name: { ownerId, name } }, select: { startedAt: true, endedAt: true } });
    return row ? elapsedMs(row.startedAt, row.endedAt) : undefined;
  },

  /** A failed attempt: `final` ends the step; otherwise it will be retried and stays running. */
  async failed(writer: StateWriter, ownerId: string, name: string, error: string, final: boolean, status: 'failed' | 'cancelled' = 'failed') {
    await writer.prisma.deploymentStep.updateMany({
      where: { ownerId, name },
      data: final ? { status, endedAt: new Date(), error: clip(error) } : { error: clip(error) },
    });
    announce(writer, { ownerId, name, status: final ? status : 'running' });
  },

  async progress(writer: StateWriter, ownerId: string, name: string, output: string) {
    const { count } = await writer.prisma.deploymentStep.updateMany({ where: { ownerId, name, status: 'running' }, data: { output: clip(output) } });
    if (count) announce(writer, { ownerId, name, status: 'running' });
  },

  /** Creates the pending rows of a whole flow up front so the timeline shows what is still to come. */
  async plan(writer: StateWriter, ownerId: string, operationId: string, names: readonly string[]) {
    const { count } = await writer.prisma.deploymentStep.createMany({
      data: names.map((name, position) => ({ id: newId('stp'), ownerId, operationId, name, position, status: 'pending' as const })),
      skipDuplicates: true,
    });
    if (count) announce(writer, { ownerId, name: '*', status: 'pending' });
  },

  /** Steps left unfinished when an operation rolls forward after its route change committed. */
  async completeByRollForward(writer: StateWriter, ownerId: string, output: string) {
    const { count } = await writer.prisma.deploymentStep.updateMany({
      where: { ownerId, status: { in: ['pending', 'running', 'failed'] } },
      data: { status: 'succeeded', endedAt: new Date(), output: clip(output) },
    });
    if (count) announce(writer, { ownerId, name: '*', status: 'succeeded' });
  },

  /** Steps that never ran because the operation ended earlier; `reason` (if any) is written on each row, saying why. */
  async skipRemaining(writer: StateWriter, ownerId: string, status: 'skipped' | 'cancelled' = 'skipped', reason?: string) {
    const { count } = await writer.prisma.deploymentStep.updateMany({ where: { ownerId, status: 'pending' }, data: { status, ...(reason ? { error: reason } : {}) } });
    if (count) announce(writer, { ownerId, name: '*', status });
  },
};
