import { operationOutcome } from '../src/deployments/operation-outcome';
import type { FlowHooks } from '../src/engine/define-flow';
import type { OperationJobData } from '../src/engine/job-data';
import { routeChangeCommitted } from '../src/routing/changes/route-change-committed';
import type { Services } from '../processors/services';
import { healthWatchOf } from '../src/releases/health-watch';

/** Rollback, promote and undo: once their route change committed, a later failure rolls them forward. */
export const switchHooks: FlowHooks<Services, OperationJobData & { deploymentId?: string }> = {
  committed: ({ prisma }, data) => routeChangeCommitted(prisma, data.operationId),
  // A promote may have recorded a health watch with its route change: enqueued once the promote has succeeded.
  async outcome(services, data) {
    const watch = await healthWatchOf(services.prisma, data.operationId);
    if (watch?.state === 'queued') await services.operations.enqueue(watch.id);
    return operationOutcome(services.prisma, data);
  },
};
