import { buildDeployFlow } from '../../flows/deploy';
import { buildPromoteFlow } from '../../flows/promote';
import { buildRollbackFlow } from '../../flows/rollback';
import { buildUndoFlow } from '../../flows/undo';
import type { Operation } from '../generated/prisma/client';
import type { EngineDeps } from './engine-deps';
import { ProjectTurns } from '../route-changes/project-turn';
import { stepJobId } from './queue-names';
import { DEPLOY_STEPS, routingStepOf, SWITCH_STEPS, UndoStep } from './step-names';
import { stepRecords } from './step-records';

export class UnknownOperationKindError extends Error {}

/**
 * Puts an operation's flow on the queues. Safe to call again for the same operation (deterministic job ids):
 * the API calls it after committing the operation row, the reconciler calls it for operations whose flow is missing.
 */
export async function enqueueOperation(deps: EngineDeps, operationId: string): Promise<void> {
  const op = await deps.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
  await addFlow(deps, op);
  const routing = routingStepOf(op.kind);
  if (routing && op.kind !== 'deploy') {
    // The place in the project's routing order is the moment of the request: the last request wins. Taken once the
    // flow exists, so a ticket never waits for a job that was not enqueued.
    await new ProjectTurns(deps.redis, deps.queues.prefix).ticket(op.projectId, stepJobId(op.id, routing));
  }
}

async function addFlow(deps: EngineDeps, op: Operation): Promise<void> {
  switch (op.kind) {
    case 'deploy': {
      await stepRecords.plan(deps, op.deploymentId!, op.id, DEPLOY_STEPS);
      await deps.queues.flows.add(buildDeployFlow({ operationId: op.id, projectId: op.projectId, deploymentId: op.deploymentId! }, deps.settings));
      return;
    }
    case 'rollback':
    case 'promote': {
      await stepRecords.plan(deps, op.id, op.id, SWITCH_STEPS);
      const build = op.kind === 'rollback' ? buildRollbackFlow : buildPromoteFlow;
      await deps.queues.flows.add(build({ operationId: op.id, projectId: op.projectId, targetDeploymentId: op.deploymentId! }, deps.settings));
      return;
    }
    case 'undo': {
      await stepRecords.plan(deps, op.id, op.id, [UndoStep.undoRoutes]);
      await deps.queues.flows.add(buildUndoFlow({ operationId: op.id, projectId: op.projectId }, deps.settings));
      return;
    }
    default:
      throw new UnknownOperationKindError(`no flow for operations of kind ${op.kind}`);
  }
}
