import { z } from 'zod';
import type { Db } from '../db/prisma';
import { PreconditionFailedError } from '../errors';

/**
 * What a deploy's steps need to know about its deployment, project, environment and workspace that cannot change
 * while the deploy runs: a deployment's image spec and git fields are fixed when it is created, and slugs and an
 * environment's production flag are never updated. fetch-metadata reads them once and returns them; later steps take
 * them from its output (BullMQ keeps it in the job's children values, so a step re-run after a crash gets the same).
 *
 * Never in here: what can change during a deploy and is read fresh where it matters (the deployment's status and
 * cancellation, the project's live pointer and pin, routes), nor the deployment's env vars (secrets: a step's output
 * is shown on the dashboard).
 */
export const DeployFacts = z.object({
  /** Krane namespace: the workspace's slug. */
  namespace: z.string(),
  workspaceSlug: z.string(),
  projectId: z.string(),
  projectSlug: z.string(),
  environmentId: z.string(),
  environmentSlug: z.string(),
  isProduction: z.boolean(),
  branch: z.string().nullable(),
  commitSha: z.string().nullable(),
  replicas: z.number().int(),
  healthCheckPath: z.string(),
  openapiPath: z.string(),
});
export type DeployFacts = z.infer<typeof DeployFacts>;

interface FactsRow {
  projectId: string;
  environmentId: string;
  gitBranch: string | null;
  gitCommitSha: string | null;
  replicas: number;
  healthCheckPath: string;
  openapiPath: string;
  projectSlug: string;
  workspaceSlug: string;
  environmentSlug: string;
  isProduction: boolean;
}

/**
 * Reads a deployment's facts in one statement (Prisma's `include` sends one per table: four). A deployment whose rows
 * are gone fails the deploy at once.
 */
export async function readDeployFacts(prisma: Db, deploymentId: string): Promise<DeployFacts> {
  const [row] = await prisma.$queryRaw<FactsRow[]>`
    SELECT d."projectId", d."environmentId", d."gitBranch", d."gitCommitSha", d."replicas", d."healthCheckPath", d."openapiPath",
           p."slug" AS "projectSlug", w."slug" AS "workspaceSlug", e."slug" AS "environmentSlug", e."isProduction"
      FROM "Deployment" d
      JOIN "Project" p ON p."id" = d."projectId"
      JOIN "Workspace" w ON w."id" = p."workspaceId"
      JOIN "Environment" e ON e."id" = d."environmentId"
     WHERE d."id" = ${deploymentId}`;
  if (!row) throw new PreconditionFailedError('deployment_not_found', { deploymentId });
  return {
    namespace: row.workspaceSlug,
    workspaceSlug: row.workspaceSlug,
    projectId: row.projectId,
    projectSlug: row.projectSlug,
    environmentId: row.environmentId,
    environmentSlug: row.environmentSlug,
    isProduction: row.isProduction,
    branch: row.gitBranch,
    commitSha: row.gitCommitSha,
    replicas: row.replicas,
    healthCheckPath: row.healthCheckPath,
    openapiPath: row.openapiPath,
  };
}

/**
 * The facts fetch-metadata handed on; read again only when its output predates them (a deploy enqueued by an earlier
 * version, whose fetch-metadata returned fewer fields, still runs to the end).
 */
export async function deployFactsOf(prisma: Db, deploymentId: string, handed: unknown): Promise<DeployFacts> {
  const parsed = DeployFacts.safeParse(handed);
  return parsed.success ? parsed.data : readDeployFacts(prisma, deploymentId);
}
