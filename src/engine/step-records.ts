import { newId } from '../ids';
import type { Db } from '../db/prisma';
import { Prisma } from '../generated/prisma/client';
import { writerSql, type StateWriter } from './engine-context';
import { operationSubjects, type StepChanged } from './state-events';

const MAX_TEXT = 2000;
const clip = (text: string | undefined | null) => (text == null ? null : text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) + '…' : text);

/** Milliseconds between two instants of a row, when both are known. */
export function elapsedMs(from: Date | null, to: Date | null): number | undefined {
  return from && to ? Math.max(0, to.getTime() - from.getTime()) : undefined;
}

/**
 * The statements of the step rows, sent past Prisma's client runtime (src/db/sql.ts): each is constant text, so a
 * connection prepares it once. `updatedAt` is set as Prisma's `@updatedAt` would.
 */
const NO_CANCEL_QUERY = Prisma.sql`SELECT NULL::boolean AS "requested", NULL::text AS "supersededBy"`;
const STEP_SUCCEEDED = `UPDATE "DeploymentStep" SET "status" = 'succeeded', "endedAt" = $1, "output" = $2, "error" = NULL, "updatedAt" = $1
  WHERE "ownerId" = $3 AND "name" = $4
  RETURNING "startedAt"`;
const STEP_ENDED = `UPDATE "DeploymentStep" SET "status" = $5::"StepStatus", "endedAt" = $4, "error" = $3, "updatedAt" = $4 WHERE "ownerId" = $1 AND "name" = $2`;
const STEP_ATTEMPT_FAILED = `UPDATE "DeploymentStep" SET "error" = $3, "updatedAt" = $4 WHERE "ownerId" = $1 AND "name" = $2`;
const STEP_PROGRESS = `UPDATE "DeploymentStep" SET "output" = $3, "updatedAt" = $4 WHERE "ownerId" = $1 AND "name" = $2 AND "status" = 'running' RETURNING "id"`;
const STEPS_PLANNED = `INSERT INTO "DeploymentStep" ("id", "ownerId", "operationId", "name", "position", "status", "attempts", "createdAt", "updatedAt")
  SELECT s."id", $1, $2, s."name", s."position", 'pending', 0, $6, $6 FROM unnest($3::text[], $4::text[], $5::int[]) AS s("id", "name", "position")
  ON CONFLICT DO NOTHING
  RETURNING "id"`;
const STEPS_ROLLED_FORWARD = `UPDATE "DeploymentStep" SET "status" = 'succeeded', "endedAt" = $2, "output" = $3, "updatedAt" = $2
  WHERE "ownerId" = $1 AND "status" IN ('pending', 'running', 'failed')
  RETURNING "id"`;
const STEPS_SKIPPED = `UPDATE "DeploymentStep" SET "status" = $2::"StepStatus", "error" = COALESCE($3::text, "error"), "updatedAt" = $4
  WHERE "ownerId" = $1 AND "status" = 'pending'
  RETURNING "id"`;

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
    const now = new Date();
    // The operation's UPDATE rides in a data-modifying CTE; with `startOperation` false it matches no row. The flow's
    // cancellation check, when given, rides as a read-only CTE: the same snapshot a read of its own would have.
    const statement = Prisma.sql`
      WITH "started" AS (
        UPDATE "Operation" SET "state" = 'running', "startedAt" = ${now}
        WHERE ${startOperation}::boolean AND "id" = ${row.operationId} AND "state" = 'queued'
        RETURNING "id"),
      "cancel" AS (${cancelQuery ?? NO_CANCEL_QUERY})
      INSERT INTO "DeploymentStep" ("id", "ownerId", "operationId", "name", "position", "status", "attempts", "startedAt", "updatedAt")
      VALUES (${newId('stp')}, ${row.ownerId}, ${row.operationId}, ${row.name}, ${row.position}::int, 'running', ${row.attempts}::int, ${now}, ${now})
      ON CONFLICT ("ownerId", "name") DO UPDATE SET
        "status" = 'running', "attempts" = EXCLUDED."attempts", "error" = NULL,
        "startedAt" = COALESCE("DeploymentStep"."startedAt", EXCLUDED."startedAt"), "updatedAt" = EXCLUDED."updatedAt"
      RETURNING EXISTS (SELECT 1 FROM "started") AS "operationStarted",
        (SELECT "requested" FROM "cancel" LIMIT 1) AS "cancelRequested", (SELECT "supersededBy" FROM "cancel" LIMIT 1) AS "supersededBy"`;
    const [result] = await writerSql(writer).query<{ operationStarted: boolean; cancelRequested: boolean | null; supersededBy: string | null }>(statement.text, statement.values);
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
    const [row] = await writerSql(writer).query<{ startedAt: Date | string | null }>(STEP_SUCCEEDED, [now, clip(output), ownerId, name]);
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
    const now = new Date();
    await writerSql(writer).query(final ? STEP_ENDED : STEP_ATTEMPT_FAILED, final ? [ownerId, name, clip(error), now, status] : [ownerId, name, clip(error), now]);
    announce(writer, { ownerId, name, status: final ? status : 'running' });
  },

  async progress(writer: StateWriter, ownerId: string, name: string, output: string) {
    const rows = await writerSql(writer).query(STEP_PROGRESS, [ownerId, name, clip(output), new Date()]);
    if (rows.length) announce(writer, { ownerId, name, status: 'running' });
  },

  /** Creates the pending rows of a whole flow up front so the timeline shows what is still to come. */
  async plan(writer: StateWriter, ownerId: string, operationId: string, names: readonly string[]) {
    const rows = await writerSql(writer).query(STEPS_PLANNED, [ownerId, operationId, names.map(() => newId('stp')), [...names], names.map((_, position) => position), new Date()]);
    if (rows.length) announce(writer, { ownerId, name: '*', status: 'pending' });
  },

  /** Steps left unfinished when an operation rolls forward after its route change committed. */
  async completeByRollForward(writer: StateWriter, ownerId: string, output: string) {
    const rows = await writerSql(writer).query(STEPS_ROLLED_FORWARD, [ownerId, new Date(), clip(output)]);
    if (rows.length) announce(writer, { ownerId, name: '*', status: 'succeeded' });
  },

  /** Steps that never ran because the operation ended earlier; `reason` (if any) is written on each row, saying why. */
  async skipRemaining(writer: StateWriter, ownerId: string, status: 'skipped' | 'cancelled' = 'skipped', reason?: string) {
    const rows = await writerSql(writer).query(STEPS_SKIPPED, [ownerId, status, reason || null, new Date()]);
    if (rows.length) announce(writer, { ownerId, name: '*', status });
  },
};
