import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { statementNames } from './statement-names';

export type Db = InstanceType<typeof PrismaClient>;
export { PrismaClient };

/**
 * Interactive transactions wait up to 10 s for a pooled connection (Prisma's default is 2 s): on a busy machine the
 * pool is briefly all in use by workers, and an API request must then wait its turn, not fail with a 500.
 */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

/** A Prisma client over node-postgres (pooled), its statements prepared once per connection (`statementNames`). */
export function createPgPrisma(databaseUrl: string, poolSize = 10): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize }, { statementNameGenerator: statementNames() });
  return new PrismaClient({ adapter, transactionOptions: TRANSACTION_OPTIONS });
}
