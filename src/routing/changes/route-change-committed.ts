import type { Db } from '../../db/prisma';

/**
 * Whether the operation's route change committed. From then on traffic follows it: a later failure of the operation
 * rolls it forward instead of failing it (a failed deployment must never be live).
 */
export async function routeChangeCommitted(prisma: Db, operationId: string): Promise<boolean> {
  return (await prisma.routeChange.findUnique({ where: { operationId }, select: { id: true } })) !== null;
}
