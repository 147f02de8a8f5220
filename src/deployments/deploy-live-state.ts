import { run, sqlOf, type SqlHolder } from '../db/sql';
import { Prisma } from '../generated/prisma/client';

/** Where a deploy stands once its routes committed: the project's live pointer and pin, its release and health watch. */
export interface DeployLiveState {
  /** False when the project row is gone. */
  projectFound: boolean;
  liveDeploymentId: string | null;
  isRolledBack: boolean;
  /** The deployment's status (read only when asked: `deploymentId`). */
  status: string | null;
  /** The newest release whose canary the deployment is, if any. */
  release: { id: string; state: string; weight: number; operationId: string } | null;
  /** The health watch its route change recorded (`watchKey`), if any. */
  watch: { id: string; state: string } | null;
}

interface Row {
  liveDeploymentId: string | null;
  isRolledBack: boolean | null;
  status: string | null;
  release: unknown;
  watch: unknown;
}

const json = <T>(value: unknown): T | null => (value === null || value === undefined ? null : ((typeof value === 'string' ? JSON.parse(value) : value) as T));

/**
 * What update-live and a deploy's outcome read of the state as it is now, in one statement (Prisma sent one per table:
 * the project, the release, the health watch). `canaryOf`: the deployment whose release is wanted; `deploymentId`:
 * whose status, when wanted; `watchKey`: the health watch's idempotency key, when wanted. On the database's direct path
 * when it has one (src/db/sql.ts).
 */
export async function readDeployLiveState(
  db: SqlHolder,
  ask: { projectId: string; canaryOf: string; deploymentId?: string; watchKey?: string },
): Promise<DeployLiveState> {
  const none = Prisma.sql`NULL`;
  const [row] = await run<Row>(
    sqlOf(db),
    Prisma.sql`
    SELECT p."liveDeploymentId", p."isRolledBack",
           ${ask.deploymentId ? Prisma.sql`(SELECT d."status"::text FROM "Deployment" d WHERE d."id" = ${ask.deploymentId})` : Prisma.sql`NULL::text`} AS "status",
           (SELECT json_build_object('id', r."id", 'state', r."state"::text, 'weight', r."weight", 'operationId', r."operationId")
              FROM "Release" r WHERE r."canaryDeploymentId" = ${ask.canaryOf} ORDER BY r."createdAt" DESC LIMIT 1) AS "release",
           ${ask.watchKey ? Prisma.sql`(SELECT json_build_object('id', o."id", 'state', o."state"::text) FROM "Operation" o WHERE o."idempotencyKey" = ${ask.watchKey})` : none} AS "watch"
      FROM (SELECT 1) AS one LEFT JOIN "Project" p ON p."id" = ${ask.projectId}`,
  );
  return {
    projectFound: row.isRolledBack !== null,
    liveDeploymentId: row.liveDeploymentId,
    isRolledBack: row.isRolledBack ?? false,
    status: row.status,
    release: json(row.release),
    watch: json(row.watch),
  };
}
