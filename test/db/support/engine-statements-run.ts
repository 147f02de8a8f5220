// Run by test/db/the-engines-direct-statements-mean-the-same-on-pglite-and-postgres.test.ts in a process of its own
// (PGlite loads its WebAssembly with a dynamic import that Jest's module sandbox refuses, and the process's time zone is
// the test's): a step's bookkeeping and an operation's end through the database's direct path (`Database.sql`), then
// what Prisma reads back, printed as one JSON line. Argument: a PGlite data directory or a PostgreSQL URL.
import { openPglite, openPostgres } from '../../../src/db/database';
import { finishOperation } from '../../../src/engine/operation-state';
import { noStateEvents } from '../../../src/engine/state-events';
import { stepRecords } from '../../../src/engine/step-records';
import { seedProject } from '../../support/seed';

async function main(): Promise<void> {
  const target = process.argv[2];
  const db = target.startsWith('postgres') ? openPostgres(target, 2) : await openPglite(target);
  try {
    if (!target.startsWith('postgres')) await db.migrate();
    const { project } = await seedProject(db.prisma, { workspace: 'acme', project: 'shop' });
    const op = await db.prisma.operation.create({ data: { id: 'op_pglite', kind: 'deploy', projectId: project.id, requestedBy: 'test' } });
    const writer = { prisma: db.prisma, sql: db.sql, events: noStateEvents };
    const ownerId = 'dep_pglite';
    const startedAfter = Date.now();
    await stepRecords.plan(writer, ownerId, op.id, ['first', 'second', 'third']);
    await stepRecords.running(writer, { ownerId, operationId: op.id, name: 'first', position: 0, attempts: 1 }, true);
    // A statement sent while a Prisma interactive transaction holds the one connection waits for it to end.
    let inTransaction = false;
    const [, waited] = await Promise.all([
      db.prisma.$transaction(async (tx) => {
        inTransaction = true;
        await tx.operation.findUnique({ where: { id: op.id } });
        await new Promise((r) => setTimeout(r, 100));
        inTransaction = false;
      }),
      new Promise((r) => setTimeout(r, 20)).then(async () => {
        await stepRecords.progress(writer, ownerId, 'first', 'half way');
        return { sentDuringTransaction: true, answeredInsideIt: inTransaction };
      }),
    ]);
    await new Promise((r) => setTimeout(r, 30));
    const firstMs = await stepRecords.succeeded(writer, ownerId, 'first', 'done');
    await stepRecords.running(writer, { ownerId, operationId: op.id, name: 'second', position: 1, attempts: 2 }, false);
    await stepRecords.failed(writer, ownerId, 'second', 'boom', true);
    await stepRecords.skipRemaining(writer, ownerId, 'skipped', 'not run: boom');
    const end = await finishOperation(writer, { operationId: op.id, ownerId }, 'failed', { errorCode: 'STEP_FAILED', errorMessage: 'second: boom' });
    const again = await finishOperation(writer, { operationId: op.id, ownerId }, 'succeeded', { result: { kind: 'deploy' } });
    const finishedBefore = Date.now();
    // A timestamp read through the direct path is the instant Prisma reads.
    const [direct] = await db.sql.query<{ startedAt: Date }>('SELECT "startedAt" FROM "DeploymentStep" WHERE "ownerId" = $1 AND "name" = $2', [ownerId, 'first']);
    const operation = await db.prisma.operation.findUniqueOrThrow({ where: { id: op.id } });
    const steps = await db.prisma.deploymentStep.findMany({ where: { ownerId }, orderBy: { position: 'asc' } });
    console.log(
      JSON.stringify({
        startedAfter,
        finishedBefore,
        firstMs,
        directStartedAt: direct.startedAt instanceof Date ? direct.startedAt.getTime() : String(direct.startedAt),
        waited,
        end,
        again,
        operation: { state: operation.state, errorCode: operation.errorCode, result: operation.result, startedAt: operation.startedAt?.getTime(), finishedAt: operation.finishedAt?.getTime() },
        steps: steps.map((s) => ({ name: s.name, status: s.status, attempts: s.attempts, output: s.output, error: s.error, startedAt: s.startedAt?.getTime() ?? null, endedAt: s.endedAt?.getTime() ?? null })),
      }),
    );
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
