import type { Db } from '../db/prisma';
import type { KraneClient } from '../krane/client';
import type { KraneDeploymentRef } from '../krane/types';
import { isCompensableStatus } from '../statuses';
import type { Logger } from '../logger';

type OrphanDeps = { prisma: Db; krane: KraneClient; logger: Logger };

const BATCH = 500;

/**
 * Removes from Krane the deployments the database says are gone: no such deployment in that workspace (e.g. the
 * database was reset, or a create raced a rollback of the row), or a failed/cancelled deploy whose compensation
 * already ran and that no route points at (e.g. a create that landed after its compensation). Only Krane drivers
 * whose instances outlive them can list what they run (docker); for others (`list` absent or UNIMPLEMENTED) this
 * does nothing. Returns `namespace/deploymentId` of each deployment removed.
 */
export async function removeKraneOrphans(deps: OrphanDeps): Promise<string[]> {
  const listed = deps.krane.list ? await deps.krane.list() : undefined;
  if (!listed?.length) return [];
  const removed: string[] = [];
  for (let start = 0; start < listed.length; start += BATCH) {
    const batch = listed.slice(start, start + BATCH);
    for (const orphan of await orphansAmong(deps, batch)) {
      try {
        await deps.krane.delete(orphan.namespace, orphan.deploymentId);
        removed.push(`${orphan.namespace}/${orphan.deploymentId}`);
      } catch (err) {
        deps.logger.warn('reconciler could not remove an orphaned Krane deployment', { ...orphan, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  if (removed.length) deps.logger.info('removed orphaned Krane deployments', { deployments: removed });
  return removed;
}

async function orphansAmong(deps: OrphanDeps, listed: KraneDeploymentRef[]): Promise<KraneDeploymentRef[]> {
  const ids = [...new Set(listed.map((d) => d.deploymentId))];
  const rows = await deps.prisma.deployment.findMany({
    where: { id: { in: ids } },
    select: { id: true, status: true, compensatedAt: true, project: { select: { workspace: { select: { slug: true } } } } },
  });
  const routed = new Set(
    (await deps.prisma.ingressRoute.findMany({ where: { deploymentId: { in: ids } }, distinct: ['deploymentId'], select: { deploymentId: true } })).map(
      (r) => r.deploymentId,
    ),
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return listed.filter(({ namespace, deploymentId }) => {
    const row = byId.get(deploymentId);
    if (!row || row.project.workspace.slug !== namespace) return true;
    return isCompensableStatus(row.status) && row.compensatedAt !== null && !routed.has(deploymentId);
  });
}
