import type { Db } from '../db/prisma';
import { run, sqlOf, type Sql } from '../db/sql';
import type { StateEvents } from '../engine/state-events';
import { Prisma, type Deployment, type DeploymentStatus } from '../generated/prisma/client';

/** A deployment's status moved: announced on the deployment's channel (its event stream hears it). */
export type DeploymentChanged = { type: 'deployment'; deploymentId: string; status: DeploymentStatus };

/**
 * What writing a deployment's status needs: the database (its direct path when there is one: a deploy's steps send
 * their status moves past Prisma's runtime, src/db/sql.ts), and where to announce the move once it committed.
 */
export interface DeploymentWriter {
  prisma: Db;
  sql?: Sql;
  events: StateEvents;
}

/** Every column of a Deployment row, as Prisma's model returns it (no column is mapped to another name). */
const DEPLOYMENT_COLUMNS = Prisma.raw(
  Object.values(Prisma.DeploymentScalarFieldEnum)
    .map((column) => `"${column}"`)
    .join(', '),
);

/** The status move of transitionDeployment and transitionDeploymentReturning: one statement, its changed rows returned. */
function statusMove(deploymentId: string, from: DeploymentStatus[], to: DeploymentStatus, set: Prisma.Sql[], returning: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    UPDATE "Deployment" SET ${Prisma.join([Prisma.sql`"status" = ${to}::"DeploymentStatus"`, Prisma.sql`"updatedAt" = ${new Date()}`, ...set])}
     WHERE "id" = ${deploymentId} AND "status"::text IN (${Prisma.join(from)})
    RETURNING ${returning}`;
}

/**
 * Compare-and-set of a deployment's status: moves only from one of `from`, so a terminal status is never
 * overwritten and a replayed step cannot move a deployment backwards. Returns whether it moved; a move is announced.
 * One statement (a deploy makes four of these), on the writer's direct path when it has one.
 */
export async function transitionDeployment(
  writer: DeploymentWriter,
  deploymentId: string,
  from: DeploymentStatus[],
  to: DeploymentStatus,
  extra: { statusReason?: string | null; failedStep?: string | null } = {},
): Promise<boolean> {
  const set: Prisma.Sql[] = [];
  if (extra.statusReason !== undefined) set.push(Prisma.sql`"statusReason" = ${extra.statusReason}::text`);
  if (extra.failedStep !== undefined) set.push(Prisma.sql`"failedStep" = ${extra.failedStep}::text`);
  const moved = await run(sqlOf(writer), statusMove(deploymentId, from, to, set, Prisma.sql`1 AS "moved"`));
  if (moved.length === 1) announce(writer.events, deploymentId, to);
  return moved.length === 1;
}

/**
 * transitionDeployment that also returns the deployment's row as the move left it, in the same statement (for a step
 * that needs the row anyway, e.g. create-in-krane its spec); undefined when it did not move.
 */
export async function transitionDeploymentReturning(
  writer: DeploymentWriter,
  deploymentId: string,
  from: DeploymentStatus[],
  to: DeploymentStatus,
): Promise<Deployment | undefined> {
  // Every column, typed as Prisma's model types them: timestamps as Dates, envVars as parsed JSON, integers as numbers.
  const [moved] = await run<Deployment>(sqlOf(writer), statusMove(deploymentId, from, to, [], DEPLOYMENT_COLUMNS));
  if (moved) announce(writer.events, deploymentId, to);
  return moved;
}

function announce(events: StateEvents, deploymentId: string, status: DeploymentStatus): void {
  const event: DeploymentChanged = { type: 'deployment', deploymentId, status };
  events.publish([deploymentId], event);
}
