import type { Pool } from 'pg';
import { createPgPool, createPgPrisma, type Db } from '../../src/db/prisma';
import { pgSql, type Sql } from '../../src/db/sql';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * A transaction's direct statements (`Sql.transaction`, the route change's fence, moves and record) go on the
 * connection Prisma's interactive transaction holds, which the pool notes when Prisma's adapter checks it out and begins
 * on it. They must never run outside the transaction: another connection checked out in the same async context must
 * not be taken for the transaction's, or a write meant to roll back with it would commit on its own and a row lock
 * would lock nothing. (The pool noted the first connection checked out in the context before: this test's second case
 * failed, its write committed.)
 */
describe("a transaction's direct statements", () => {
  let db: TestDatabase;
  let pool: Pool;
  let prisma: Db;
  let sql: Sql;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPgPool(db.url, 4);
    prisma = createPgPrisma(pool);
    sql = pgSql(pool);
    await pool.query('CREATE TABLE "Probe" ("id" text PRIMARY KEY)');
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await db?.drop();
  });

  const probes = async (id: string) => (await pool.query('SELECT "id" FROM "Probe" WHERE "id" = $1', [id])).rowCount;
  /** Writes a probe row through the transaction's `Sql`, then fails: the write must roll back with it. */
  const writeThenFail = (holder: Pick<Db, '$transaction'>, id: string) =>
    sql.transaction(holder, async (_tx, inTransaction) => {
      await inTransaction.query('INSERT INTO "Probe" ("id") VALUES ($1)', [id]);
      throw new Error('decided against it');
    });

  it("roll back with Prisma's transaction", async () => {
    await expect(writeThenFail(prisma, 'plain')).rejects.toThrow('decided against it');
    expect(await probes('plain')).toBe(0);
  });

  it('never run on a connection checked out beside the transaction\'s', async () => {
    // Something in the transaction's async context checks out a connection before Prisma's adapter does: a connection
    // outside the transaction, which must not be taken for it.
    const strayFirst: Pick<Db, '$transaction'> = {
      $transaction: (async (fn: never, options: never) => {
        const stray = await pool.connect();
        try {
          return await prisma.$transaction(fn, options);
        } finally {
          stray.release();
        }
      }) as Db['$transaction'],
    };
    await expect(writeThenFail(strayFirst, 'stray')).rejects.toThrow('decided against it');
    expect(await probes('stray')).toBe(0);
    // And the statements still run inside the transaction when it commits.
    await sql.transaction(strayFirst, async (_tx, inTransaction) => {
      await inTransaction.query('INSERT INTO "Probe" ("id") VALUES ($1)', ['kept']);
    });
    expect(await probes('kept')).toBe(1);
  });
});
