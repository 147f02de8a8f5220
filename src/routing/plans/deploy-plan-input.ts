import type { Db } from '../../db/prisma';
import { planDeployRoutes, routeLookupHostnames, type PlanDeployRoutesInput } from './plan-deploy-routes';
import type { ExistingRoute, RoutePlan } from './route-types';
import type { RoutingTx } from '../changes/route-change-types';

type Reader = Db | RoutingTx;

/**
 * What the planner needs to know of a deployment, its project, environment and workspace that cannot change while a
 * deploy runs (slugs, the production flag, the git fields: never updated). A deploy's steps hold them already (its
 * facts, src/deployments/deploy-facts.ts, which has these fields and more); anyone else reads them (`'read'`).
 */
export interface DeployPlanFacts {
  workspaceSlug: string;
  projectId: string;
  projectSlug: string;
  environmentId: string;
  environmentSlug: string;
  isProduction: boolean;
  branch: string | null;
  commitSha: string | null;
}

/**
 * Where the plan's fixed facts come from: handed by the caller with the project's pin (a value, or a read under way that
 * is awaited with the route reads), or `'read'` from the current state, pin included (one statement more).
 */
export type DeployPlanSource = { facts: DeployPlanFacts; pinned: boolean | Promise<boolean> } | 'read';

function toExisting(r: { hostname: string; projectId: string; environmentId: string; deploymentId: string; sticky: ExistingRoute['sticky']; branch: string | null }): ExistingRoute {
  return { hostname: r.hostname, projectId: r.projectId, environmentId: r.environmentId, deploymentId: r.deploymentId, sticky: r.sticky, branch: r.branch };
}

/** The deployment's fixed facts and its project's pin, as they are now. */
async function readPlanFacts(db: Reader, deploymentId: string): Promise<{ facts: DeployPlanFacts; pinned: boolean }> {
  const d = await db.deployment.findUniqueOrThrow({
    where: { id: deploymentId },
    include: { project: { include: { workspace: true } }, environment: true },
  });
  const facts: DeployPlanFacts = {
    workspaceSlug: d.project.workspace.slug,
    projectId: d.projectId,
    projectSlug: d.project.slug,
    environmentId: d.environmentId,
    environmentSlug: d.environment.slug,
    isProduction: d.environment.isProduction,
    branch: d.gitBranch,
    commitSha: d.gitCommitSha,
  };
  return { facts, pinned: d.project.isRolledBack };
}

/**
 * What planDeployRoutes needs about a deployment (a client or a transaction): the fixed facts from `source`, and what
 * can change, read now: the routes under its hostnames and the environment's custom routes (two statements at once).
 */
export async function deployPlanInput(db: Reader, deploymentId: string, apex: string, source: DeployPlanSource): Promise<PlanDeployRoutesInput> {
  const { facts, pinned } = source === 'read' ? await readPlanFacts(db, deploymentId) : source;
  const hostnames = {
    apex,
    workspaceSlug: facts.workspaceSlug,
    projectSlug: facts.projectSlug,
    environmentSlug: facts.environmentSlug,
    isProduction: facts.isProduction,
    deploymentId,
    branch: facts.branch,
    commitSha: facts.commitSha,
  };
  const lookup = routeLookupHostnames({ hostnames, projectId: facts.projectId, environmentId: facts.environmentId });
  const [existing, custom, isPinned] = await Promise.all([
    db.ingressRoute.findMany({ where: { hostname: { in: lookup } } }),
    db.ingressRoute.findMany({ where: { environmentId: facts.environmentId, sticky: 'custom' } }),
    pinned,
  ]);
  return {
    hostnames,
    projectId: facts.projectId,
    environmentId: facts.environmentId,
    pinned: isPinned,
    existing: existing.map(toExisting),
    customRoutes: custom.map(toExisting),
  };
}

/** The deployment's route plan (SPEC §4.1, §4.2) from the facts `source` gives and the routes as they are now. */
export async function planDeployment(db: Reader, deploymentId: string, apex: string, source: DeployPlanSource = 'read'): Promise<RoutePlan> {
  return planDeployRoutes(await deployPlanInput(db, deploymentId, apex, source));
}
