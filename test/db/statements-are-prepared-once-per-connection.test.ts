import { createPgPrisma, Db } from '../../src/db/prisma';
import { statementNames } from '../../src/db/statement-names';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * PostgreSQL parses (and plans) an unnamed statement every time it is sent; the engine sends tens per deploy. The
 * client names each distinct SQL text, so a connection prepares it once and executes it by name afterwards.
 */
describe('statements sent through the PostgreSQL client', () => {
  let db: TestDatabase;
  let prisma: Db;
  beforeAll(async () => {
    db = await createTestDatabase();
    // One connection: every statement below, and the look at its prepared statements, run on the same session.
    prisma = createPgPrisma(db.url, 1);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it('are prepared once per connection and executed by name when repeated', async () => {
    for (let i = 0; i < 3; i++) {
      await prisma.workspace.findUnique({ where: { id: `ws_${i}` }, select: { id: true } });
      await prisma.$queryRaw`SELECT ${i}::int AS "n"`;
    }
    const prepared = await prisma.$queryRaw<{ statement: string }[]>`SELECT "statement" FROM pg_prepared_statements`;
    const workspaceReads = prepared.filter((p) => p.statement.includes('FROM "public"."Workspace"'));
    const rawReads = prepared.filter((p) => p.statement.includes('AS "n"'));
    expect(workspaceReads).toHaveLength(1);
    expect(rawReads).toHaveLength(1);
  });

  it('stop being named past the limit of distinct texts, so prepared statements cannot grow without bound', () => {
    const names = statementNames(2);
    expect(names({ sql: 'SELECT 1' })).toBe('df0');
    expect(names({ sql: 'SELECT 2' })).toBe('df1');
    expect(names({ sql: 'SELECT 1' })).toBe('df0');
    // Sent unnamed (parsed each time), as every statement was before.
    expect(names({ sql: 'SELECT 3' })).toBe('');
    expect(names({ sql: 'SELECT 2' })).toBe('df1');
  });
});
