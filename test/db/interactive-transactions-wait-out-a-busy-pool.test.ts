import { createPgPrisma, Db } from '../../src/db/prisma';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('an interactive transaction when every pooled connection is in use', () => {
  let db: TestDatabase;
  let prisma: Db;
  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPgPrisma(db.url, 1);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it('waits for a connection longer than Prisma\'s 2 s default instead of failing (a busy machine is not an error)', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      await held;
    });
    await new Promise((r) => setTimeout(r, 200)); // the holder has the only connection
    const started = Date.now();
    const waiter = prisma.$transaction(async (tx) => tx.$queryRaw<{ one: number }[]>`SELECT 1 AS one`);
    setTimeout(release, 3_000);
    await expect(waiter).resolves.toEqual([{ one: 1 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    await holder;
  });
});
