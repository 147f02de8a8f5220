import type { Db } from '../db/prisma';
import { run, sqlOf, type Sql } from '../db/sql';
import type { DeployFacts } from '../deployments/deploy-facts';
import { Prisma } from '../generated/prisma/client';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors';
import { newId } from '../ids';
import type { EnqueueOperation } from './enqueue-operation';
import { queuedOperationRow } from './queued-operation-row';
import { isFinished } from '../statuses';
import type { Caller } from './caller';
import type { DeployRequest } from './deploy-request';
import { isUniqueViolation, operationForKey, operationIdempotencyKey, requestHash } from './operation-key';

export interface CreatedDeploy {
  deploymentId: string;
  operationId: string;
  /** True when the idempotency key matched an earlier request: nothing new was created. */
  existing: boolean;
}

interface CreatedRow {
  earlierId: string | null;
  earlierDeploymentId: string | null;
  earlierHash: string | null;
  projectId: string | null;
  projectSlug: string | null;
  workspaceSlug: string | null;
  environmentId: string | null;
  environmentSlug: string | null;
  isProduction: boolean | null;
  /** Whether the operation (and with it the deployment) was inserted: false when another request took the key meanwhile. */
  inserted: boolean;
}

/**
 * Creates the `pending` deployment and its deploy operation, then enqueues the flow, handing it the operation row, the
 * subject (`<project>/<environment>`) and the deployment's fixed facts (fetch-metadata's output), all read here anyway.
 *
 * One statement does the request's work: the operation its idempotency key already names, the caller's project (by id
 * or slug, in its workspace) and the environment, and, when there is no earlier operation and both exist, both inserts
 * (atomic: one statement). It was up to seven (the key, the project, the environment, BEGIN, two inserts, COMMIT).
 * The operation is inserted first, `ON CONFLICT ("idempotencyKey") DO NOTHING`, and the deployment only from the row
 * it returns: a request racing another with the same key inserts nothing and answers with the winner's operation.
 * A crash between the commit and the enqueue is healed by the reconciler (it enqueues queued operations without a flow).
 * The statement goes on the database's direct path (`deps.sql`, src/db/sql.ts) when the caller has one.
 */
export async function createDeploy(
  deps: { prisma: Db; sql?: Sql; enqueue: EnqueueOperation },
  caller: Caller,
  request: DeployRequest,
  idempotencyKey?: string,
): Promise<CreatedDeploy> {
  const { prisma } = deps;
  const opKey = idempotencyKey ? operationIdempotencyKey(caller.workspaceId, 'deploy', idempotencyKey) : undefined;
  const hash = requestHash('deploy', request);
  const deploymentId = newId('dep');
  const operationId = newId('op');
  const now = new Date();
  const at = Prisma.sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
  const { git, runtime } = request;
  const [row] = await run<CreatedRow>(
    sqlOf(deps),
    Prisma.sql`
    WITH "earlier" AS (SELECT "id", "deploymentId", "requestHash" FROM "Operation" WHERE "idempotencyKey" = ${opKey ?? null}::text),
         "p" AS (
           SELECT p."id", p."slug", w."slug" AS "workspaceSlug" FROM "Project" p JOIN "Workspace" w ON w."id" = p."workspaceId"
            WHERE p."workspaceId" = ${caller.workspaceId} AND (p."id" = ${request.projectId} OR p."slug" = ${request.projectId})
            ORDER BY p."id" = ${request.projectId} DESC LIMIT 1),
         "e" AS (SELECT e."id", e."slug", e."isProduction" FROM "Environment" e JOIN "p" ON e."projectId" = p."id" WHERE e."slug" = ${request.environment}),
         "o" AS (
           INSERT INTO "Operation" ("id", "kind", "projectId", "deploymentId", "state", "idempotencyKey", "requestHash", "requestedBy", "requestId", "createdAt")
           SELECT ${operationId}, 'deploy', p."id", ${deploymentId}, 'queued', ${opKey ?? null}::text, ${opKey ? hash : null}::text,
                  ${caller.requestedBy}, ${caller.requestId ?? null}::text, ${at}
             FROM "p" JOIN "e" ON true
            WHERE NOT EXISTS (SELECT 1 FROM "earlier")
           ON CONFLICT ("idempotencyKey") DO NOTHING
           RETURNING "projectId", "deploymentId"),
         "d" AS (
           INSERT INTO "Deployment" ("id", "projectId", "environmentId", "image", "gitBranch", "gitCommitSha", "gitMessage", "gitAuthor",
                                     "replicas", "cpuMillicores", "memoryMib", "port", "healthCheckPath", "openapiPath", "envVars", "createdAt", "updatedAt")
           SELECT o."deploymentId", o."projectId", e."id", ${request.image}, ${git.branch ?? null}::text, ${git.commitSha ?? null}::text,
                  ${git.message ?? null}::text, ${git.author ?? null}::text, ${runtime.replicas}::integer, ${runtime.cpuMillicores}::integer,
                  ${runtime.memoryMib}::integer, ${runtime.port}::integer, ${runtime.healthCheckPath}, ${runtime.openapiPath},
                  ${JSON.stringify(runtime.env)}::jsonb, ${at}, ${at}
             FROM "o" JOIN "e" ON true
           RETURNING "id")
    SELECT x."id" AS "earlierId", x."deploymentId" AS "earlierDeploymentId", x."requestHash" AS "earlierHash",
           p."id" AS "projectId", p."slug" AS "projectSlug", p."workspaceSlug", e."id" AS "environmentId", e."slug" AS "environmentSlug", e."isProduction",
           EXISTS (SELECT 1 FROM "d") AS "inserted"
      FROM (SELECT 1) AS one LEFT JOIN "earlier" x ON true LEFT JOIN "p" ON true LEFT JOIN "e" ON true`,
  );
  if (row.earlierId) {
    if (row.earlierHash && row.earlierHash !== hash) throw new UnprocessableError('idempotency_key_reused');
    return { deploymentId: row.earlierDeploymentId!, operationId: row.earlierId, existing: true };
  }
  if (!row.projectId) throw new NotFoundError('project', request.projectId);
  if (!row.environmentId) throw new NotFoundError('environment', request.environment);
  if (!row.inserted) {
    // Another request with the same key inserted its operation after this statement's snapshot: answer with it.
    const winner = await operationForKey(prisma, opKey, hash);
    if (winner) return { deploymentId: winner.deploymentId!, operationId: winner.id, existing: true };
    throw new Error(`deploy of ${request.projectId}: the operation was not inserted`);
  }
  // The row as inserted (every column the statement did not set has its default), for the engine not to read it again.
  const operation = queuedOperationRow({
    id: operationId,
    kind: 'deploy',
    projectId: row.projectId,
    deploymentId,
    sourceDeploymentId: null,
    idempotencyKey: opKey ?? null,
    requestHash: opKey ? hash : null,
    requestedBy: caller.requestedBy,
    requestId: caller.requestId ?? null,
    reason: null,
    createdAt: now,
  });
  const facts: DeployFacts = {
    namespace: row.workspaceSlug!,
    workspaceSlug: row.workspaceSlug!,
    projectId: row.projectId,
    projectSlug: row.projectSlug!,
    environmentId: row.environmentId,
    environmentSlug: row.environmentSlug!,
    isProduction: row.isProduction!,
    branch: git.branch ?? null,
    commitSha: git.commitSha ?? null,
    replicas: runtime.replicas,
    healthCheckPath: runtime.healthCheckPath,
    openapiPath: runtime.openapiPath,
  };
  await deps.enqueue(operationId, { operation, subject: `${row.projectSlug}/${row.environmentSlug}`, data: { facts } });
  return { deploymentId, operationId, existing: false };
}

/** Starts the flow of an existing pending deployment (gRPC Deploy): idempotent, a second call does nothing. */
export async function startPendingDeploy(
  deps: { prisma: Db; enqueue(operationId: string): Promise<void> },
  caller: Caller,
  deploymentId: string,
): Promise<{ operationId: string; existing: boolean }> {
  const { prisma } = deps;
  const deployment = await prisma.deployment.findFirst({ where: { id: deploymentId, project: { workspaceId: caller.workspaceId } } });
  if (!deployment) throw new NotFoundError('deployment', deploymentId);
  const existing = async () => {
    const earlier = await prisma.operation.findFirst({ where: { deploymentId, kind: 'deploy' }, orderBy: { createdAt: 'asc' } });
    if (!earlier) return undefined;
    // Enqueue again only while unfinished (a lost flow is healed); a finished deploy is never run twice.
    if (!isFinished(earlier)) await deps.enqueue(earlier.id);
    return { operationId: earlier.id, existing: true };
  };
  const earlier = await existing();
  if (earlier) return earlier;
  if (deployment.status !== 'pending') throw new ConflictError('deployment_not_pending', { deploymentId, status: deployment.status });
  const operationId = newId('op');
  try {
    await prisma.operation.create({
      data: { id: operationId, kind: 'deploy', projectId: deployment.projectId, deploymentId, requestedBy: caller.requestedBy, idempotencyKey: `deploy-once:${deploymentId}` },
    });
  } catch (err) {
    // A concurrent call for the same deployment won the unique key: that one starts the flow.
    const winner = isUniqueViolation(err) ? await existing() : undefined;
    if (winner) return winner;
    throw err;
  }
  await deps.enqueue(operationId);
  return { operationId, existing: false };
}
