import { operationOutcome } from '../src/deployments/operation-outcome';
import type { FlowHooks } from '../src/engine/define-flow';
import type { OperationJobData } from '../src/engine/job-data';
import { routeChangeCommitted } from '../src/routing/changes/route-change-committed';
import type { Services } from '../processors/services';

/** Rollback, promote and undo: once their route change committed, a later failure rolls them forward. */
export const switchHooks: FlowHooks<Services, OperationJobData & { deploymentId?: string }> = {
  committed: ({ prisma }, data) => routeChangeCommitted(prisma, data.operationId),
  outcome: ({ prisma }, data) => operationOutcome(prisma, data),
};
