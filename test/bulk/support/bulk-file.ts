import { readBulkLines, SourceLine } from '../../../src/bulk/bulk-file';
import { directLineRunner } from '../../../src/bulk/direct-lines';
import type { LineRunner } from '../../../src/bulk/run-bulk';
import type { EngineHarness } from '../../support/engine-harness';

/** The lines of a bulk file made of these rows (objects are written as JSON, strings as they are). */
export function bulkFile(...rows: Array<object | string>): SourceLine[] {
  return readBulkLines(bulkText(...rows));
}

export function bulkText(...rows: Array<object | string>): string {
  return rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
}

/** The direct mode over the harness: its database and the engine's enqueue (the harness's workers run the flows). */
export function directRunner(h: EngineHarness): LineRunner {
  return directLineRunner({ prisma: h.db.prisma, enqueue: h.engine.enqueue, openapiLimits: { timeoutMs: 2_000, maxBytes: 5 * 1024 * 1024 } });
}

/** Row counts of everything a line could write. */
export async function writtenRows(h: EngineHarness) {
  const p = h.db.prisma;
  const [operations, deployments, routeChanges, steps, cancelRequested, specsFetched] = await Promise.all([
    p.operation.count(),
    p.deployment.count(),
    p.routeChange.count(),
    p.deploymentStep.count(),
    p.deployment.count({ where: { cancelRequestedAt: { not: null } } }),
    p.deployment.findMany({ select: { id: true, openapiFetchedAt: true }, orderBy: { id: 'asc' } }),
  ]);
  return { operations, deployments, routeChanges, steps, cancelRequested, specsFetched };
}

/** Every job the engine's queues hold, in any state: a dry run must add none. */
export async function queuedJobs(h: EngineHarness): Promise<number> {
  let total = 0;
  for (const queue of h.engine.deps.queues.all()) {
    const counts = await queue.getJobCounts();
    total += Object.values(counts).reduce((a, b) => a + b, 0);
  }
  return total;
}
