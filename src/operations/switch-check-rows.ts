import type { Db } from '../db/prisma';
import { NotFoundError } from '../errors';
import { checkedTargetOf, type TargetColumns } from './checked-target-columns';
import type { CheckedProject, CheckedTarget } from './switch-preconditions';

/** What a switch's `validate` step judges: its project, its target with its environment, and the source it expects. */
export interface SwitchCheckRows {
  project: CheckedProject | null;
  target: CheckedTarget | null;
  expectedSourceDeploymentId: string | null;
}

interface Row extends TargetColumns {
  sourceDeploymentId: string | null;
  projectId: string | null;
  projectSlug: string | null;
  liveDeploymentId: string | null;
  isRolledBack: boolean | null;
  rolledBackFromDeploymentId: string | null;
}

/**
 * Reads in one statement what the request read in three (project, target, its environment) and the operation adds
 * (the source the caller expects): a switch's checks are on its path to traffic, and through Prisma the same reads are
 * five statements (each include is a query of its own). The project and target are joined by id, not through the
 * operation, so that a missing one reads as null and is judged as the request would judge it.
 */
export async function readSwitchCheckRows(prisma: Db, input: { operationId: string; projectId: string; targetDeploymentId: string }): Promise<SwitchCheckRows> {
  const [row] = await prisma.$queryRaw<Row[]>`
    SELECT o."sourceDeploymentId",
           p."id" AS "projectId", p."slug" AS "projectSlug", p."liveDeploymentId", p."isRolledBack", p."rolledBackFromDeploymentId",
           d."id" AS "targetId", d."projectId" AS "targetProjectId", d."environmentId" AS "targetEnvironmentId", d."status"::text AS "targetStatus",
           e."isProduction", e."slug" AS "environmentSlug"
      FROM "Operation" o
      LEFT JOIN "Project" p ON p."id" = ${input.projectId}
      LEFT JOIN "Deployment" d ON d."id" = ${input.targetDeploymentId}
      LEFT JOIN "Environment" e ON e."id" = d."environmentId"
     WHERE o."id" = ${input.operationId}`;
  if (!row) throw new NotFoundError('operation', input.operationId);
  const project: CheckedProject | null =
    row.projectId === null
      ? null
      : { id: row.projectId, slug: row.projectSlug!, liveDeploymentId: row.liveDeploymentId, isRolledBack: row.isRolledBack!, rolledBackFromDeploymentId: row.rolledBackFromDeploymentId };
  const target = checkedTargetOf(row);
  return { project, target, expectedSourceDeploymentId: row.sourceDeploymentId };
}
