import { mkdirSync } from 'node:fs';
import { Client } from 'pg';
import { applyMigrations } from './migrator';
import { createPgPool, createPgPrisma, Db, PrismaClient, TRANSACTION_OPTIONS } from './prisma';
import { pgliteSql, pgSql, type Sql } from './sql';
import { pgliteRunner, pgRunner } from './sql-runner';

/** An open database: the Prisma client plus what it takes to migrate and close it. */
export interface Database {
  prisma: Db;
  /**
   * The same database past Prisma's client runtime, for the engine's hot statements (sql.ts). On PostgreSQL it shares
   * the Prisma client's pool (one pool of `poolSize` connections per process); on PGlite, the one connection.
   */
  sql: Sql;
  kind: 'postgres' | 'pglite';
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function openPostgres(databaseUrl: string, poolSize = 10): Database {
  const pool = createPgPool(databaseUrl, poolSize);
  const prisma = createPgPrisma(pool);
  return {
    prisma,
    sql: pgSql(pool),
    kind: 'postgres',
    async migrate() {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return await applyMigrations(pgRunner(client));
      } finally {
        await client.end();
      }
    },
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    async close() {
      await prisma.$disconnect();
      if (!pool.ended) await pool.end();
    },
  };
}

/** Embedded PostgreSQL (PGlite, WebAssembly) persisted under dataDir: no server to install. */
export async function openPglite(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const pglite = new PGlite(dataDir);
  await pglite.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite), transactionOptions: TRANSACTION_OPTIONS });
  return {
    prisma,
    sql: pgliteSql(pglite),
    kind: 'pglite',
    migrate: () => applyMigrations(pgliteRunner(pglite)),
    async ping() {
      await pglite.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
