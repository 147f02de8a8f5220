import type { StoredRouteChange } from '../../src/routing/changes/route-change-types';
import { collisionHostname, generatedHostnames } from '../../src/routing/hostnames/hostnames';
import { routeOwnerKey } from '../../src/routing/plans/plan-deploy-routes';
import { eventually, getViaHost } from '../support/http-get';
import type { RoutingBed, SeededProject } from './routing-bed';

interface RouteRow {
  hostname: string;
  projectId: string;
  environmentId: string;
  deploymentId: string;
  sticky: string;
}

const describeRoute = (r: Pick<RouteRow, 'hostname' | 'deploymentId'>) => `${r.hostname} -> ${r.deploymentId}`;

/** The project's live hostname and its collision alternative: where its live route may be, or where nothing of it may be. */
export function liveHostnames(bed: RoutingBed, project: SeededProject): string[] {
  const live = generatedHostnames({
    apex: bed.apex,
    workspaceSlug: project.workspace.slug,
    projectSlug: project.slug,
    environmentSlug: 'production',
    isProduction: true,
    deploymentId: 'dep_00000000',
  }).find((h) => h.sticky === 'live')!.hostname;
  return [live, collisionHostname(live, routeOwnerKey(project.id, project.productionId))];
}

/**
 * What must hold after every operation, each broken promise one line (empty when all hold):
 * 1. live pointer ⇔ live route: exactly one live route, on the live deployment; none when nothing is live;
 * 2. every route targets a ready deployment of its own project and environment; the live deployment is ready;
 * 3. the RouteChange history replays, change by change from nothing (each change's "from" is what the replay holds
 *    there), to exactly the current routes, and its live pointers chain up to the project's;
 * 4. the gateway serves it: each live hostname of each project answers from the deployment routed there (the live
 *    deployment on the live route), and 404 where no route is.
 */
export async function routingViolations(bed: RoutingBed, projects: SeededProject[]): Promise<string[]> {
  const { prisma } = bed.db;
  const violations: string[] = [];
  const projectIds = projects.map((p) => p.id);
  const rows = await prisma.project.findMany({ where: { id: { in: projectIds } } });
  const routes: RouteRow[] = await prisma.ingressRoute.findMany({ where: { projectId: { in: projectIds } }, orderBy: { hostname: 'asc' } });
  const deployments = new Map((await prisma.deployment.findMany({ where: { projectId: { in: projectIds } } })).map((d) => [d.id, d]));
  const changes = await prisma.routeChange.findMany({ where: { projectId: { in: projectIds } }, orderBy: [{ projectId: 'asc' }, { sequence: 'asc' }] });

  for (const project of projects) {
    const row = rows.find((r) => r.id === project.id)!;
    const name = `${project.workspace.slug}/${project.slug}`;
    const own = routes.filter((r) => r.projectId === project.id);
    const liveRoutes = own.filter((r) => r.sticky === 'live');

    // 1. live pointer ⇔ live route
    if (row.liveDeploymentId === null) {
      if (liveRoutes.length) violations.push(`${name}: nothing is live but live routes exist: ${liveRoutes.map(describeRoute).join(', ')}`);
    } else if (liveRoutes.length !== 1 || liveRoutes[0].deploymentId !== row.liveDeploymentId) {
      violations.push(`${name}: live ${row.liveDeploymentId} needs exactly one live route on it; live routes: ${liveRoutes.map(describeRoute).join(', ') || 'none'}`);
    }

    // 2. routes target ready deployments of their own project and environment
    for (const r of own) {
      const d = deployments.get(r.deploymentId);
      if (!d) violations.push(`${name}: route ${describeRoute(r)} targets an unknown deployment (or one of another project)`);
      else if (d.status !== 'ready' || d.environmentId !== r.environmentId) violations.push(`${name}: route ${describeRoute(r)} targets a ${d.status} deployment of environment ${d.environmentId}`);
    }
    if (row.liveDeploymentId !== null && deployments.get(row.liveDeploymentId)?.status !== 'ready') {
      violations.push(`${name}: live deployment ${row.liveDeploymentId} is ${deployments.get(row.liveDeploymentId)?.status ?? 'unknown'}`);
    }

    // 3. the history replays to the current routes
    const history = changes.filter((c) => c.projectId === project.id);
    const replay = new Map<string, { deploymentId: string; sticky: string; environmentId: string }>();
    let live: string | null = null;
    history.forEach((change, n) => {
      if (change.sequence !== n + 1) violations.push(`${name}: route change #${change.sequence} is number ${n + 1} of the history`);
      if (change.liveFrom !== live) violations.push(`${name}: change #${change.sequence} starts from live ${change.liveFrom}, the history had ${live}`);
      live = change.liveTo;
      for (const applied of (change.changes as unknown as StoredRouteChange).applied) {
        const held = replay.get(applied.hostname)?.deploymentId ?? null;
        if (held !== applied.fromDeploymentId) violations.push(`${name}: change #${change.sequence} moves ${applied.hostname} from ${applied.fromDeploymentId}, the history had ${held}`);
        if (applied.toDeploymentId === null) replay.delete(applied.hostname);
        else replay.set(applied.hostname, { deploymentId: applied.toDeploymentId, sticky: applied.sticky, environmentId: applied.environmentId });
      }
    });
    if (live !== row.liveDeploymentId) violations.push(`${name}: the history leaves ${live} live, the project says ${row.liveDeploymentId}`);
    const replayed = [...replay.entries()].map(([hostname, r]) => `${r.sticky} ${hostname} -> ${r.deploymentId} @${r.environmentId}`).sort();
    const current = own.map((r) => `${r.sticky} ${r.hostname} -> ${r.deploymentId} @${r.environmentId}`).sort();
    if (JSON.stringify(replayed) !== JSON.stringify(current)) {
      violations.push(`${name}: the history replays to [${replayed.join('; ')}] but the routes are [${current.join('; ')}]`);
    }
  }
  if (violations.length) return violations;

  // 4. the gateway serves what the routes say (route events are published after commit: allow them a moment)
  const hostnames = [...new Set([...projects.flatMap((p) => liveHostnames(bed, p)), ...routes.filter((r) => r.sticky === 'live').map((r) => r.hostname)])];
  const routed = new Map((await prisma.ingressRoute.findMany({ where: { hostname: { in: hostnames } } })).map((r) => [r.hostname, r.deploymentId]));
  const served = async (hostname: string): Promise<string[]> => {
    const expected = routed.get(hostname) ?? null;
    try {
      await eventually(
        async () => {
          const reply = await getViaHost(bed.gateway.port, hostname);
          const from = reply.status === 200 ? (reply.headers['x-deployment-id'] as string | undefined) : null;
          if (expected === null ? reply.status !== 404 : from !== expected) throw new Error(`answered ${reply.status} from ${from ?? 'nothing'}`);
        },
        5_000,
        20,
      );
      return [];
    } catch (err) {
      return [`gateway: ${hostname} should ${expected ? `serve ${expected}` : 'answer 404'} but ${(err as Error).message}`];
    }
  };
  return (await Promise.all(hostnames.map(served))).flat();
}
