import type { Db } from '../db/prisma';
import { NotFoundError } from '../errors';
import { checkedTargetOf, type TargetColumns } from './checked-target-columns';
import type { CheckedProject, CheckedTarget } from './switch-preconditions';

/** What a rollback or promote request judges: the caller's project (with its Krane namespace) and the target. */
export interface SwitchRequestRows {
  project: CheckedProject & { namespace: string };
  target: CheckedTarget | null;
}

interface Row extends TargetColumns {
  id: string;
  slug: string;
  liveDeploymentId: string | null;
  isRolledBack: boolean;
  rolledBackFromDeploymentId: string | null;
  namespace: string;
}

/**
 * The project of the caller's workspace by id or slug (as resolveProject finds it; the id wins over another project's
 * slug) with its workspace's slug (the Krane namespace check-instances asks with), and the target with its environment,
 * in one statement: the request is on the switch's path to traffic, and as two statements (the project through Prisma,
 * the target raw) it cost a second statement's round trip and Prisma's CPU on the process that also runs the steps.
 * The target is joined by id, not through the project, so that a target of another project reads as itself and is
 * judged "not found in this project" as before. No project: NotFoundError, before anything of the target is judged.
 */
export async function readSwitchRequestRows(prisma: Db, workspaceId: string, projectIdOrSlug: string, targetDeploymentId: string): Promise<SwitchRequestRows> {
  const [row] = await prisma.$queryRaw<Row[]>`
    SELECT p."id", p."slug", p."liveDeploymentId", p."isRolledBack", p."rolledBackFromDeploymentId", w."slug" AS "namespace",
           d."id" AS "targetId", d."projectId" AS "targetProjectId", d."environmentId" AS "targetEnvironmentId", d."status"::text AS "targetStatus",
           e."isProduction", e."slug" AS "environmentSlug"
      FROM "Project" p
      JOIN "Workspace" w ON w."id" = p."workspaceId"
      LEFT JOIN "Deployment" d ON d."id" = ${targetDeploymentId}
      LEFT JOIN "Environment" e ON e."id" = d."environmentId"
     WHERE p."workspaceId" = ${workspaceId} AND (p."id" = ${projectIdOrSlug} OR p."slug" = ${projectIdOrSlug})
     ORDER BY (p."id" = ${projectIdOrSlug}) DESC
     LIMIT 1`;
  if (!row) throw new NotFoundError('project', projectIdOrSlug);
  const project = { id: row.id, slug: row.slug, liveDeploymentId: row.liveDeploymentId, isRolledBack: row.isRolledBack, rolledBackFromDeploymentId: row.rolledBackFromDeploymentId, namespace: row.namespace };
  const target = checkedTargetOf(row);
  return { project, target };
}
