import type { Db } from '../db/prisma';
import type { KraneClient } from '../krane/client';
import type { Logger } from '../logger';
import { kraneSpecOf } from './krane-spec';
import { syncInstances } from './sync-instances';
import { ROUTABLE_STATUSES } from '../statuses';

const BATCH = 100;

export interface RefreshReport {
  instancesRefreshed: number;
  /** Routed deployments Krane no longer knew (e.g. the embedded Krane restarted): created again. */
  recreatedInKrane: string[];
}

/**
 * Refreshes the Instance rows of ready deployments that routes point at, least recently refreshed first (every one
 * gets its turn however many there are). One that Krane no longer lists is created again, so what the routes point
 * at keeps running.
 */
export async function refreshRoutedInstances(deps: { prisma: Db; krane: KraneClient; logger: Logger }): Promise<RefreshReport> {
  const { prisma } = deps;
  const report: RefreshReport = { instancesRefreshed: 0, recreatedInKrane: [] };
  const routedIds = (await prisma.ingressRoute.findMany({ distinct: ['deploymentId'], select: { deploymentId: true } })).map((r) => r.deploymentId);
  const routed = await prisma.deployment.findMany({
    where: { status: { in: ROUTABLE_STATUSES }, id: { in: routedIds } },
    include: { project: { include: { workspace: true } } },
    orderBy: { updatedAt: 'asc' },
    take: BATCH,
  });
  for (const d of routed) {
    try {
      const namespace = d.project.workspace.slug;
      let instances = await deps.krane.get(namespace, d.id);
      if (instances.length === 0) {
        const created = await deps.krane.create(kraneSpecOf(d, namespace));
        if (!created.alreadyExisted) report.recreatedInKrane.push(d.id);
        instances = await deps.krane.get(namespace, d.id);
      }
      await syncInstances(deps, d.id, instances);
      await prisma.deployment.update({ where: { id: d.id }, data: { updatedAt: new Date() } });
      report.instancesRefreshed += instances.length;
    } catch (err) {
      deps.logger.warn('reconciler could not refresh instances', { deploymentId: d.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return report;
}
