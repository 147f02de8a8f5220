import type { Db } from '../db/prisma';
import type { StateEvents } from '../engine/state-events';
import { Prisma, type Deployment, type DeploymentStatus } from '../generated/prisma/client';

/** A deployment's status moved: announced on the deployment's channel (its event stream hears it). */
export type DeploymentChanged = { type: 'deployment'; deploymentId: string; status: DeploymentStatus };

/** What writing a deployment's status needs: the database, and where to announce the move once it committed. */
export interface DeploymentWriter {
  prisma: Db;
  events: StateEvents;
}

/**
 * Compare-and-set of a deployment's status: moves only from one of `from`, so a terminal status is never
 * overwritten and a replayed step cannot move a deployment backwards. Returns whether it moved; a move is announced.
 * One raw statement (a deploy makes four of these; Prisma's model updateMany costs about twice the client CPU).
 */
export async function transitionDeployment(
  { prisma, events }: DeploymentWriter,
  deploymentId: string,
  from: DeploymentStatus[],
  to: DeploymentStatus,
  extra: { statusReason?: string | null; failedStep?: string | null } = {},
): Promise<boolean> {
  const set = [Prisma.sql`"status" = ${to}::"DeploymentStatus"`, Prisma.sql`"updatedAt" = ${new Date()}`];
  if (extra.statusReason !== undefined) set.push(Prisma.sql`"statusReason" = ${extra.statusReason}::text`);
  if (extra.failedStep !== undefined) set.push(Prisma.sql`"failedStep" = ${extra.failedStep}::text`);
  const count = await prisma.$executeRaw`
    UPDATE "Deployment" SET ${Prisma.join(set)} WHERE "id" = ${deploymentId} AND "status"::text IN (${Prisma.join(from)})`;
  if (count === 1) announce(events, deploymentId, to);
  return count === 1;
}

/**
 * transitionDeployment that also returns the deployment's row as the move left it, in the same statement (for a step
 * that needs the row anyway, e.g. create-in-krane its spec); undefined when it did not move.
 */
export async function transitionDeploymentReturning(
  { prisma, events }: DeploymentWriter,
  deploymentId: string,
  from: DeploymentStatus[],
  to: DeploymentStatus,
): Promise<Deployment | undefined> {
  const [moved] = await prisma.deployment.updateManyAndReturn({ where: { id: deploymentId, status: { in: from } }, data: { status: to } });
  if (moved) announce(events, deploymentId, to);
  return moved;
}

function announce(events: StateEvents, deploymentId: string, status: DeploymentStatus): void {
  const event: DeploymentChanged = { type: 'deployment', deploymentId, status };
  events.publish([deploymentId], event);
}
