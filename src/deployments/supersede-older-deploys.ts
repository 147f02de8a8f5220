import type { Db } from '../db/prisma';
import { run, sqlOf, type SqlHolder } from '../db/sql';
import { Prisma } from '../generated/prisma/client';
import { CANCELLABLE_STATUSES } from '../statuses';
import type { DeployFacts } from './deploy-facts';

/** Which deploys a deployment supersedes: its project, environment and branch, none of which change (see DeployFacts). */
async function readSupersedeKey(prisma: Db, deploymentId: string) {
  const d = await prisma.deployment.findUnique({
    where: { id: deploymentId },
    select: { projectId: true, environmentId: true, gitBranch: true, environment: { select: { isProduction: true } } },
  });
  return d && { projectId: d.projectId, environmentId: d.environmentId, gitBranch: d.gitBranch, isProduction: d.environment.isProduction };
}

/**
 * Latest wins (issue 15 item 5): a production deploy that has just passed its cancel gate (assign-routes: it will be
 * routed) stops every OLDER production deploy of the same project and branch that has not passed its own gate yet.
 * Those would be routed after it only to be overtaken at once, so their remaining steps are pointless work.
 *
 * It reuses the cancel mechanics: one conditional update sets `cancelRequestedAt` (and `supersededById`, which makes
 * the stop read `superseded`) under the same conditions as POST /v1/deployments/:id/cancel. The older deploy's own gate
 * is the mirror image on the same row, so PostgreSQL's row lock lets exactly one of the two win: either the older deploy
 * stops at its next check (a step in progress in another worker finishes what it is doing first) and is compensated,
 * or it had already started routing and is left to finish; the route ordering (a deploy never takes routes or live
 * from a newer one, ARCHITECTURE §8.1) keeps this newer deploy live either way.
 *
 * "Newer" is the deployment id's order (ids are time-sortable), the same order routing uses. "Same branch" is the same
 * `gitBranch`; a deploy without a branch is a line of its own (it supersedes, and is superseded by, deploys without a
 * branch only), never the project's default branch: a deploy that named no branch says nothing about which branch it
 * replaces. Only production deploys take part; previews keep all their deploys.
 *
 * Idempotent: a repeat (a retry, a crash before the gate was recorded in the job) stops only what is left to stop.
 * Returns the ids this call stopped, oldest first. `known`: the deployment's facts when the caller has them (a deploy's
 * steps do: fetch-metadata handed them on), else read.
 */
export async function supersedeOlderDeploys(
  db: SqlHolder & { prisma: Db },
  deploymentId: string,
  known?: Pick<DeployFacts, 'projectId' | 'environmentId' | 'branch' | 'isProduction'>,
): Promise<string[]> {
  const newer = known ? { ...known, gitBranch: known.branch } : await readSupersedeKey(db.prisma, deploymentId);
  if (!newer?.isProduction) return [];
  const now = new Date();
  // A deploy without a branch matches only deploys without one (IS NULL; `= NULL` would match nothing).
  const branch = newer.gitBranch === null ? Prisma.sql`"gitBranch" IS NULL` : Prisma.sql`"gitBranch" = ${newer.gitBranch}`;
  const stopped = await run<{ id: string }>(
    sqlOf(db),
    Prisma.sql`
      UPDATE "Deployment" SET "cancelRequestedAt" = ${now}, "supersededById" = ${deploymentId}, "updatedAt" = ${now}
       WHERE "projectId" = ${newer.projectId} AND "environmentId" = ${newer.environmentId} AND ${branch} AND "id" < ${deploymentId}
         AND "cancelRequestedAt" IS NULL AND "routingStartedAt" IS NULL AND "status"::text = ANY(${CANCELLABLE_STATUSES}::text[])
      RETURNING "id"`,
  );
  return stopped.map((d) => d.id).sort();
}
