import type { Db } from '../db/prisma';

export interface RouteEntry {
  hostname: string;
  deploymentId: string;
  /** A weighted route's canary; null or absent for a plain route. */
  canary?: { deploymentId: string; weight: number } | null;
}

/** Every route, and the addresses (`host:port`) of the running instances of deployments, by deployment id. */
export interface RouteSnapshot {
  routes: RouteEntry[];
  instances: Record<string, string[]>;
  /** The sequence of each project's last committed RouteChange: published changes up to it are in `routes`. */
  sequences?: Record<string, number>;
}

/** Where a gateway reads the truth about routes from. */
export interface RouteSource {
  loadAll(): Promise<RouteSnapshot>;
  /** Running instance addresses of the given deployments; a deployment without any maps to []. */
  loadInstances(deploymentIds: string[]): Promise<Record<string, string[]>>;
}

function groupAddresses(rows: Array<{ deploymentId: string; address: string }>, deploymentIds: string[] = []): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const id of deploymentIds) out[id] = [];
  for (const row of rows) (out[row.deploymentId] ??= []).push(row.address);
  return out;
}

// A stable order, so that round robin walks the instances the same way after every reload.
const INSTANCE_ORDER = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

export function prismaRouteSource(prisma: Db): RouteSource {
  return {
    async loadAll() {
      // One snapshot for both reads: routes and instances must describe the same moment.
      const [routes, instances, lastChanges] = await prisma.$transaction(
        [
          prisma.ingressRoute.findMany({ select: { hostname: true, deploymentId: true, canaryDeploymentId: true, canaryWeight: true } }),
          prisma.instance.findMany({
            where: { status: 'running' },
            select: { deploymentId: true, address: true },
            orderBy: INSTANCE_ORDER,
          }),
          prisma.routeChange.groupBy({ by: ['projectId'], _max: { sequence: true }, orderBy: { projectId: 'asc' } }),
        ],
        { isolationLevel: 'RepeatableRead' },
      );
      const sequences: Record<string, number> = {};
      for (const row of lastChanges) {
        const last = row._max?.sequence;
        if (typeof last === 'number') sequences[row.projectId] = last;
      }
      return {
        routes: routes.map((r) => ({
          hostname: r.hostname,
          deploymentId: r.deploymentId,
          canary: r.canaryDeploymentId === null ? null : { deploymentId: r.canaryDeploymentId, weight: r.canaryWeight },
        })),
        instances: groupAddresses(instances),
        sequences,
      };
    },
    async loadInstances(deploymentIds) {
      if (deploymentIds.length === 0) return {};
      const rows = await prisma.instance.findMany({
        where: { status: 'running', deploymentId: { in: deploymentIds } },
        select: { deploymentId: true, address: true },
        orderBy: INSTANCE_ORDER,
      });
      return groupAddresses(rows, deploymentIds);
    },
  };
}
