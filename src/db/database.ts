import { mkdirSync } from 'node:fs';
import { Client } from 'pg';
import { applyMigrations } from './migrator';
import { createPgPrisma, Db, PrismaClient, TRANSACTION_OPTIONS } from './prisma';
import { pgliteRunner, pgRunner } from './sql-runner';

/** An open database: the Prisma client plus what it takes to migrate and close it. */
export interface Database {
  prisma: Db;
  kind: 'postgres' | 'pglite';
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function openPostgres(databaseUrl: string, poolSize = 10): Database {
  const prisma = createPgPrisma(databaseUrl, poolSize);
  return {
    prisma,
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
