import { buildDeployFlow } from '../../flows/deploy';
import type { EngineDeps } from './engine-deps';
import { DEPLOY_STEPS } from './step-names';
import { stepRecords } from './step-records';

export class UnknownOperationKindError extends Error {}

/**
 * Puts an operation's flow on the queues. Safe to call again for the same operation (deterministic job ids):
 * the API calls it after committing the operation row, the reconciler calls it for operations whose flow is missing.
 */
export async function enqueueOperation(deps: EngineDeps, operationId: string): Promise<void> {
  const op = await deps.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
  switch (op.kind) {
    case 'deploy': {
      await stepRecords.plan(deps.prisma, op.deploymentId!, op.id, DEPLOY_STEPS);
      await deps.queues.flows.add(buildDeployFlow({ operationId: op.id, projectId: op.projectId, deploymentId: op.deploymentId! }, deps.settings));
      return;
    }
    default:
      throw new UnknownOperationKindError(`no flow for operations of kind ${op.kind}`);
  }
}
