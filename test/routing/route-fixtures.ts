import type { HostnameInput } from '../../src/routing/hostnames/hostnames';
import type { PlanDeployRoutesInput } from '../../src/routing/plans/plan-deploy-routes';
import type { ExistingRoute, RoutePlan } from '../../src/routing/plans/route-types';

export const PROJECT = 'prj_01hzzzzzzzpppppppppppppppp';
export const OTHER_PROJECT = 'prj_01hzzzzzzzqqqqqqqqqqqqqqqq';
export const PRODUCTION = 'env_01hzzzzzzzpr0dpr0dpr0dpr0d';
export const PREVIEW = 'env_01hzzzzzzzprevprevprevprev';
export const APEX = 'deploy.localhost';

/** A deployment id in the shape of src/ids.ts; a larger `n` is a later deployment. Its hostname suffix is `d` + 7 digits. */
export function depId(n: number): string {
  return `dep_01hz${String(n).padStart(6, '0')}k7m2q9x4d${String(n).padStart(7, '0')}`;
}

export function productionHostnames(deploymentId: string, extra: Partial<HostnameInput> = {}): HostnameInput {
  return {
    apex: APEX,
    workspaceSlug: 'acme',
    projectSlug: 'shop',
    environmentSlug: 'production',
    isProduction: true,
    deploymentId,
    branch: 'main',
    commitSha: 'ABCDEF0123456789abcdef0123456789abcdef01',
    ...extra,
  };
}

export function previewHostnames(deploymentId: string, extra: Partial<HostnameInput> = {}): HostnameInput {
  return productionHostnames(deploymentId, { environmentSlug: 'preview', isProduction: false, branch: 'feature/Login-Page', ...extra });
}

export function route(
  hostname: string,
  deploymentId: string,
  sticky: ExistingRoute['sticky'],
  owner: { projectId?: string; environmentId?: string; branch?: string | null } = {},
): ExistingRoute {
  return {
    hostname,
    projectId: owner.projectId ?? PROJECT,
    environmentId: owner.environmentId ?? PRODUCTION,
    deploymentId,
    sticky,
    ...(owner.branch === undefined ? {} : { branch: owner.branch }),
  };
}

/** What applying a plan does to the route table, as the routing job would: create and move write the route, the rest leave it. */
export function applyPlan(routes: ExistingRoute[], plan: RoutePlan): ExistingRoute[] {
  const byHostname = new Map(routes.map((r) => [r.hostname, r]));
  for (const change of plan.changes) {
    if (change.action !== 'create' && change.action !== 'move') continue;
    byHostname.set(change.hostname, {
      hostname: change.hostname,
      projectId: plan.projectId,
      environmentId: plan.environmentId,
      deploymentId: change.toDeploymentId,
      sticky: change.sticky,
      ...(change.branch === undefined ? {} : { branch: change.branch }),
    });
  }
  return [...byHostname.values()];
}

export function actions(plan: RoutePlan): Array<[string, string, string]> {
  return plan.changes.map((c) => [c.sticky, c.hostname, c.action]);
}

/** What planSwitchRoutes gets as `target`: the deploy-plan input of a production deployment, given the routes that exist. */
export function switchTarget(deploymentId: string, existing: ExistingRoute[] = [], extra: Partial<HostnameInput> = {}): PlanDeployRoutesInput {
  return { hostnames: productionHostnames(deploymentId, extra), projectId: PROJECT, environmentId: PRODUCTION, pinned: false, existing, customRoutes: [] };
}
