import type { Db } from '../../db/prisma';
import { planDeployRoutes, routeLookupHostnames, type PlanDeployRoutesInput } from './plan-deploy-routes';
import type { ExistingRoute, RoutePlan } from './route-types';
import type { RoutingTx } from '../changes/route-change-types';

type Reader = Db | RoutingTx;

function toExisting(r: { hostname: string; projectId: string; environmentId: string; deploymentId: string; sticky: ExistingRoute['sticky']; branch: string | null }): ExistingRoute {
  return { hostname: r.hostname, projectId: r.projectId, environmentId: r.environmentId, deploymentId: r.deploymentId, sticky: r.sticky, branch: r.branch };
}

/** Reads what planDeployRoutes needs about a deployment from the current state (a client or a transaction). */
export async function loadDeployPlanInput(db: Reader, deploymentId: string, apex: string): Promise<PlanDeployRoutesInput> {
  const d = await db.deployment.findUniqueOrThrow({
    where: { id: deploymentId },
    include: { project: { include: { workspace: true } }, environment: true },
  });
  const hostnames = {
    apex,
    workspaceSlug: d.project.workspace.slug,
    projectSlug: d.project.slug,
    environmentSlug: d.environment.slug,
    isProduction: d.environment.isProduction,
    deploymentId: d.id,
    branch: d.gitBranch,
    commitSha: d.gitCommitSha,
  };
  const lookup = routeLookupHostnames({ hostnames, projectId: d.projectId, environmentId: d.environmentId });
  const [existing, custom] = await Promise.all([
    db.ingressRoute.findMany({ where: { hostname: { in: lookup } } }),
    db.ingressRoute.findMany({ where: { environmentId: d.environmentId, sticky: 'custom' } }),
  ]);
  return {
    hostnames,
    projectId: d.projectId,
    environmentId: d.environmentId,
    pinned: d.project.isRolledBack,
    existing: existing.map(toExisting),
    customRoutes: custom.map(toExisting),
  };
}

export async function planDeployment(db: Reader, deploymentId: string, apex: string): Promise<RoutePlan> {
  return planDeployRoutes(await loadDeployPlanInput(db, deploymentId, apex));
}
