import type { Db } from '../db/prisma';
import type { KraneInstance } from '../krane/types';

const STATUS = { pending: 'pending', running: 'running', terminating: 'stopping' } as const;

/** Makes the Instance rows of a deployment match what Krane reports now; instances Krane no longer lists are stopped. */
export async function syncInstances(prisma: Db, deploymentId: string, instances: KraneInstance[]): Promise<void> {
  const now = new Date();
  await prisma.$transaction([
    ...instances.map((i) =>
      prisma.instance.upsert({
        where: { id: i.id },
        create: { id: i.id, deploymentId, address: i.address, status: STATUS[i.status], lastSeenAt: now },
        update: { address: i.address, status: STATUS[i.status], lastSeenAt: now },
      }),
    ),
    prisma.instance.updateMany({
      where: { deploymentId, id: { notIn: instances.map((i) => i.id) }, status: { not: 'stopped' } },
      data: { status: 'stopped' },
    }),
  ]);
}
