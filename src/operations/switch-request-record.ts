import type { Db } from '../db/prisma';
import { NotFoundError } from '../errors';
import type { Operation } from '../generated/prisma/client';
import { DeploymentStatus } from '../generated/prisma/enums';
import { isRoutableStatus } from '../statuses';
import { checkedTargetOf, type TargetColumns } from './checked-target-columns';
import { queuedOperationRow } from './queued-operation-row';
import type { CheckedProject, CheckedTarget } from './switch-preconditions';

/** The operation a switch request records, as the request knows it before the row exists. */
export interface SwitchOperationValues {
  id: string;
  kind: 'rollback' | 'promote';
  deploymentId: string;
  sourceDeploymentId: string | null;
  reason: string | null;
  requestedBy: string;
  requestId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
}

/** What a rollback or promote request judges: the caller's project (with its Krane namespace) and the target. */
export interface SwitchRequestRows {
  project: CheckedProject & { namespace: string };
  target: CheckedTarget | null;
}

/** What `readAndRecordSwitch` found, and the operation row when it recorded one. */
export interface SwitchRequestRecord extends SwitchRequestRows {
  /** The inserted row; undefined when the rows did not pass the checks in SQL, or the idempotency key was taken. */
  operation?: Operation;
}

interface Row extends TargetColumns {
  id: string;
  slug: string;
  liveDeploymentId: string | null;
  isRolledBack: boolean;
  rolledBackFromDeploymentId: string | null;
  namespace: string;
  recordedAt: Date | null;
}

// The statuses judgeSwitchTarget accepts (isRoutableStatus), from the same table.
const ROUTABLE: string[] = Object.values(DeploymentStatus).filter(isRoutableStatus);

/**
 * A switch request's one statement: the caller's project (by id or slug, the id winning, with its workspace's slug),
 * the target with its environment (joined by id, not through the project, so that a target of another project reads as
 * itself and is judged "not found in this project") and, only where those rows pass the checks
 * judgeSwitchTarget makes at request time, the operation inserted. Reading and recording were two statements one after
 * the other on the switch's path to traffic (the insert through Prisma, on the process that also runs the steps).
 *
 * The caller still judges the rows (the checks, and their 4xx answers, stay in judgeSwitchTarget); the SQL conditions
 * only decide whether the insert may happen now, so they must never accept what the judge refuses (a refused request
 * changes nothing). When they hold less (an idempotency key already taken: ON CONFLICT DO NOTHING), no row comes
 * back and the caller records the operation as before.
 */
export async function readAndRecordSwitch(
  prisma: Db,
  workspaceId: string,
  projectIdOrSlug: string,
  op: SwitchOperationValues,
  expectedSourceDeploymentId: string | undefined,
): Promise<SwitchRequestRecord> {
  const now = new Date();
  const [row] = await prisma.$queryRaw<Row[]>`
    WITH r AS (
      SELECT p."id", p."slug", p."liveDeploymentId", p."isRolledBack", p."rolledBackFromDeploymentId", w."slug" AS "namespace",
             d."id" AS "targetId", d."projectId" AS "targetProjectId", d."environmentId" AS "targetEnvironmentId", d."status"::text AS "targetStatus",
             e."isProduction", e."slug" AS "environmentSlug"
        FROM "Project" p
        JOIN "Workspace" w ON w."id" = p."workspaceId"
        LEFT JOIN "Deployment" d ON d."id" = ${op.deploymentId}
        LEFT JOIN "Environment" e ON e."id" = d."environmentId"
       WHERE p."workspaceId" = ${workspaceId} AND (p."id" = ${projectIdOrSlug} OR p."slug" = ${projectIdOrSlug})
       ORDER BY (p."id" = ${projectIdOrSlug}) DESC
       LIMIT 1
    ), recorded AS (
      INSERT INTO "Operation" ("id", "kind", "projectId", "deploymentId", "sourceDeploymentId", "state", "idempotencyKey", "requestHash", "requestedBy", "requestId", "reason", "createdAt")
      SELECT ${op.id}, ${op.kind}::"OperationKind", r."id", ${op.deploymentId}, ${op.sourceDeploymentId}, 'queued'::"OperationState", ${op.idempotencyKey}, ${op.requestHash}, ${op.requestedBy}, ${op.requestId}, ${op.reason}, ${now}
        FROM r
       WHERE r."targetProjectId" = r."id"
         AND r."isProduction"
         AND r."targetStatus" = ANY(${ROUTABLE}::text[])
         AND (COALESCE(${expectedSourceDeploymentId ?? null}::text, '') = '' OR r."liveDeploymentId" = ${expectedSourceDeploymentId ?? null}::text)
         AND (r."liveDeploymentId" IS DISTINCT FROM r."targetId" OR (${op.kind}::text = 'promote' AND r."isRolledBack"))
      ON CONFLICT ("idempotencyKey") DO NOTHING
      RETURNING "createdAt"
    )
    SELECT r.*, (SELECT "createdAt" FROM recorded) AS "recordedAt" FROM r`;
  if (!row) throw new NotFoundError('project', projectIdOrSlug);
  const project = { id: row.id, slug: row.slug, liveDeploymentId: row.liveDeploymentId, isRolledBack: row.isRolledBack, rolledBackFromDeploymentId: row.rolledBackFromDeploymentId, namespace: row.namespace };
  const target = checkedTargetOf(row);
  if (row.recordedAt === null) return { project, target };
  const operation = queuedOperationRow({ ...op, projectId: project.id, createdAt: row.recordedAt });
  return { project, target, operation };
}
