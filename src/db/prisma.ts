import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = InstanceType<typeof PrismaClient>;
export { PrismaClient };

/** A Prisma client over node-postgres (pooled). */
export function createPgPrisma(databaseUrl: string, poolSize = 10): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  return new PrismaClient({ adapter });
}
