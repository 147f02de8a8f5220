import type { Db } from '../db/prisma';
import type { RoutingTx } from '../routing/changes/route-change-types';
import { planDeployRoutes, routeLookupHostnames, type PlanDeployRoutesInput } from '../routing/plans/plan-deploy-routes';
import type { ExistingRoute, RoutePlan } from '../routing/plans/route-types';
import type { DeployFacts } from './deploy-facts';

function toExisting(r: ExistingRoute): ExistingRoute {
  return { hostname: r.hostname, projectId: r.projectId, environmentId: r.environmentId, deploymentId: r.deploymentId, sticky: r.sticky, branch: r.branch };
}

/**
 * A deploy's route plan from the facts its steps were handed (deploy-facts.ts) and what can change while it runs, read
 * now: the project's pin (given by the caller: a read under way, awaited with the route reads, or the row its routing
 * transaction locked) and the routes under its hostnames. The same input as loadDeployPlanInput (src/routing/plans) builds by reading the deployment,
 * project, environment and workspace again, which a deploy's steps need not: nothing of them the plan uses can change.
 */
export async function planDeployFromFacts(db: Db | RoutingTx, deploymentId: string, facts: DeployFacts, apex: string, pinned: boolean | Promise<boolean>): Promise<RoutePlan> {
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
  const input: PlanDeployRoutesInput = {
    hostnames,
    projectId: facts.projectId,
    environmentId: facts.environmentId,
    pinned: isPinned,
    existing: existing.map(toExisting),
    customRoutes: custom.map(toExisting),
  };
  return planDeployRoutes(input);
}
