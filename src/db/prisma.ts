import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { statementNames } from './statement-names';

export type Db = InstanceType<typeof PrismaClient>;
export { PrismaClient };

/**
 * Interactive transactions wait up to 10 s for a pooled connection (Prisma's default is 2 s): on a busy machine the
 * pool is briefly all in use by workers, and an API request must then wait its turn, not fail with a 500.
 */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

/**
 * The process's pool of PostgreSQL connections (`poolSize` at most), shared by the Prisma client and the direct path
 * (sql.ts). A connection that fails while idle is dropped by the pool and the next statement reports the outage: the
 * listener only keeps the pool's `error` event from ending the process.
 */
export function createPgPool(databaseUrl: string, poolSize = 10): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A Prisma client over node-postgres, its statements prepared once per connection (`statementNames`). Given a pool, it
 * uses that pool (and leaves ending it to its owner); given a URL, a pool of its own, ended on `$disconnect`.
 */
export function createPgPrisma(databaseUrl: string | Pool, poolSize = 10): Db {
  const options = { statementNameGenerator: statementNames() };
  const adapter = typeof databaseUrl === 'string' ? new PrismaPg({ connectionString: databaseUrl, max: poolSize }, options) : new PrismaPg(databaseUrl, options);
  return new PrismaClient({ adapter, transactionOptions: TRANSACTION_OPTIONS });
}
