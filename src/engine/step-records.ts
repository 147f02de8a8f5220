import { newId } from '../ids';
import type { StateWriter } from './engine-deps';

const MAX_TEXT = 2000;
const clip = (text: string | undefined | null) => (text == null ? null : text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) + '…' : text);

/**
 * The DeploymentStep rows: the timeline users read. One row per (owner, step), written idempotently. Every write is
 * announced (`events.publish`) right after it committed, so event streams and waiters need not poll.
 */
export const stepRecords = {
  async running({ prisma, events }: StateWriter, row: { ownerId: string; operationId: string; name: string; position: number; attempts: number }) {
    const now = new Date();
    // One statement on the hot path of every step. Rows planned up front have no start yet; a retried step keeps its first.
    await prisma.$executeRaw`
      INSERT INTO "DeploymentStep" ("id", "ownerId", "operationId", "name", "position", "status", "attempts", "startedAt", "updatedAt")
      VALUES (${newId('stp')}, ${row.ownerId}, ${row.operationId}, ${row.name}, ${row.position}, 'running', ${row.attempts}, ${now}, ${now})
      ON CONFLICT ("ownerId", "name") DO UPDATE SET
        "status" = 'running', "attempts" = EXCLUDED."attempts", "error" = NULL,
        "startedAt" = COALESCE("DeploymentStep"."startedAt", EXCLUDED."startedAt"), "updatedAt" = EXCLUDED."updatedAt"`;
    events.publish({ type: 'step', ownerId: row.ownerId, name: row.name, status: 'running' });
  },

  async succeeded({ prisma, events }: StateWriter, ownerId: string, name: string, output: string | undefined) {
    await prisma.deploymentStep.update({
      where: { ownerId_name: { ownerId, name } },
      data: { status: 'succeeded', endedAt: new Date(), output: clip(output), error: null },
    });
    events.publish({ type: 'step', ownerId, name, status: 'succeeded' });
  },

  /** A failed attempt: `final` ends the step; otherwise it will be retried and stays running. */
  async failed({ prisma, events }: StateWriter, ownerId: string, name: string, error: string, final: boolean, status: 'failed' | 'cancelled' = 'failed') {
    await prisma.deploymentStep.updateMany({
      where: { ownerId, name },
      data: final ? { status, endedAt: new Date(), error: clip(error) } : { error: clip(error) },
    });
    events.publish({ type: 'step', ownerId, name, status: final ? status : 'running' });
  },

  async progress({ prisma, events }: StateWriter, ownerId: string, name: string, output: string) {
    const { count } = await prisma.deploymentStep.updateMany({ where: { ownerId, name, status: 'running' }, data: { output: clip(output) } });
    if (count) events.publish({ type: 'step', ownerId, name, status: 'running' });
  },

  /** Creates the pending rows of a whole flow up front so the timeline shows what is still to come. */
  async plan({ prisma, events }: StateWriter, ownerId: string, operationId: string, names: readonly string[]) {
    const { count } = await prisma.deploymentStep.createMany({
      data: names.map((name, position) => ({ id: newId('stp'), ownerId, operationId, name, position, status: 'pending' as const })),
      skipDuplicates: true,
    });
    if (count) events.publish({ type: 'step', ownerId, name: '*', status: 'pending' });
  },

  /** Steps left unfinished when an operation rolls forward after its route change committed. */
  async completeByRollForward({ prisma, events }: StateWriter, ownerId: string, output: string) {
    const { count } = await prisma.deploymentStep.updateMany({
      where: { ownerId, status: { in: ['pending', 'running', 'failed'] } },
      data: { status: 'succeeded', endedAt: new Date(), output: clip(output) },
    });
    if (count) events.publish({ type: 'step', ownerId, name: '*', status: 'succeeded' });
  },

  /** Steps that never ran because the operation ended earlier. */
  async skipRemaining({ prisma, events }: StateWriter, ownerId: string, status: 'skipped' | 'cancelled' = 'skipped') {
    const { count } = await prisma.deploymentStep.updateMany({ where: { ownerId, status: 'pending' }, data: { status } });
    if (count) events.publish({ type: 'step', ownerId, name: '*', status });
  },
};
