import type { Db } from '../db/prisma';
import type { KraneClient } from '../krane/client';
import type { KraneInstance } from '../krane/types';
import type { Logger } from '../logger';
import { isRoutableStatus, ROUTABLE_STATUSES } from '../statuses';
import { kraneSpecOf } from './krane-spec';
import { syncInstances } from './sync-instances';

export interface RestoreOptions {
  /** The whole pass's bound: a deployment not healthy by then is logged and left to the reconciler. */
  timeoutMs: number;
  /** Deployments restored at once. */
  concurrency?: number;
  /** How often a restored deployment's instances are looked at while they start. */
  pollMs?: number;
}

export interface RestoreReport {
  /** Routed, ready deployments looked at. */
  deployments: number;
  /** Every instance running (re-created, or already running in Krane). */
  healthy: string[];
  /** Created but not every instance healthy within the bound. */
  notHealthy: string[];
  /** Krane refused or failed (the reason is logged). */
  failed: string[];
  /** Not even looked at: the bound ran out first. */
  skipped: string[];
  ms: number;
}

/** Ids of ready deployments that some hostname routes to: what the gateway sends traffic to. */
async function routedReadyDeploymentIds(prisma: Db): Promise<string[]> {
  // IngressRoute.deploymentId has no relation in the schema: the routed ids first, then which of them are ready.
  const routed = await prisma.ingressRoute.findMany({ distinct: ['deploymentId'], select: { deploymentId: true } });
  const ready = await prisma.deployment.findMany({
    where: { status: { in: ROUTABLE_STATUSES }, id: { in: routed.map((r) => r.deploymentId) } },
    orderBy: { id: 'desc' }, // newest first: the live deployments of active projects are usually the latest
    select: { id: true },
  });
  return ready.map((d) => d.id);
}

function allRunning(instances: KraneInstance[]): boolean {
  return instances.length > 0 && instances.every((i) => i.status === 'running');
}

/**
 * The start-up pass of `npm start`: every routed, ready deployment gets its instances back before the API reports
 * ready. Krane's create is idempotent: the embedded Krane (a fresh process driver) starts them again; a Krane that
 * kept them (standalone, or a driver that re-adopts containers) answers ALREADY_EXISTS, which is just as good. Then the
 * Instance rows are made to match, so the gateway's next load routes to the live addresses. Bounded: a deployment
 * that cannot come back is logged and left to the reconciler, and never holds start-up.
 */
export async function restoreRoutedInstances(
  deps: { prisma: Db; krane: KraneClient; logger: Logger },
  options: RestoreOptions,
): Promise<RestoreReport> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const pollMs = options.pollMs ?? 100;
  const ids = await routedReadyDeploymentIds(deps.prisma);
  const report: RestoreReport = { deployments: ids.length, healthy: [], notHealthy: [], failed: [], skipped: [], ms: 0 };
  const queue = [...ids];

  const restoreOne = async (deploymentId: string) => {
    const deployment = await deps.prisma.deployment.findUnique({ where: { id: deploymentId }, include: { project: { include: { workspace: true } } } });
    if (!deployment || !isRoutableStatus(deployment.status)) return;
    const namespace = deployment.project.workspace.slug;
    try {
      await deps.krane.create(kraneSpecOf(deployment, namespace));
      let instances = await deps.krane.get(namespace, deploymentId);
      while (!allRunning(instances) && Date.now() + pollMs < deadline) {
        await new Promise((r) => setTimeout(r, pollMs));
        instances = await deps.krane.get(namespace, deploymentId);
      }
      await syncInstances(deps, deploymentId, instances);
      if (allRunning(instances)) {
        report.healthy.push(deploymentId);
      } else {
        report.notHealthy.push(deploymentId);
        deps.logger.warn('start-up: instances not healthy in time; the reconciler keeps at it', {
          deploymentId,
          instances: instances.map((i) => `${i.id} ${i.status}`),
        });
      }
    } catch (err) {
      report.failed.push(deploymentId);
      deps.logger.warn('start-up: could not restore the instances of a deployment', { deploymentId, error: (err as Error).message });
    }
  };

  const lane = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      if (Date.now() >= deadline) {
        report.skipped.push(id, ...queue.splice(0));
        return;
      }
      await restoreOne(id);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, lane));
  report.ms = Date.now() - started;
  return report;
}
