import { randomBytes } from 'node:crypto';
import type { Db } from '../db/prisma';

/**
 * A secret the server makes for itself, the same in every process: made at random by whichever process asks first
 * and kept in the database (table ServerSecret), read by the others. Nothing to configure, nothing that differs
 * between the processes of one deployment of deployflow. Whoever can read the database can read it: it guards nothing
 * that the database does not already hold.
 */
export async function sharedServerSecret(prisma: Db, name: string): Promise<string> {
  // The first insert wins; every later one (this process or another, at the same time or later) keeps it.
  await prisma.serverSecret.createMany({ data: [{ name, value: randomBytes(32).toString('base64url') }], skipDuplicates: true });
  return (await prisma.serverSecret.findUniqueOrThrow({ where: { name } })).value;
}
