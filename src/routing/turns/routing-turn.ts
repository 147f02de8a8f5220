import { Job } from 'bullmq';
import { ProjectTurns } from './project-turns';
import type { EngineDeps } from '../../engine/engine-deps';
import type { OperationJobData } from '../../engine/job-data';
import { stepJobId } from '../../engine/queue-names';
import { routingStepOf } from '../../engine/step-names';

/** The next job of the project is probably sleeping between looks at its turn: wake it now. */
export async function wakeRoutingJob(deps: EngineDeps, jobId: string): Promise<void> {
  try {
    const job = await Job.fromId(deps.queues.routing, jobId);
    if (job && (await job.isDelayed())) await job.promote();
  } catch {
    // It woke up by itself meanwhile: nothing to do.
  }
}

/**
 * An operation that ends for good gives up its place in the project's routing order, whether its routing step held the
 * turn (it failed during its run) or was still waiting (an earlier step failed), and wakes whoever is served next.
 */
export async function releaseRoutingTurn(deps: EngineDeps, data: OperationJobData): Promise<void> {
  const routing = routingStepOf(data.kind);
  if (!routing) return;
  const turns = new ProjectTurns(deps.redis, deps.queues.prefix);
  const jobId = stepJobId(data.operationId, routing);
  const ticket = await turns.peek(data.projectId, jobId);
  if (ticket === undefined) return;
  const next = await turns.finish(data.projectId, jobId, ticket);
  if (next) await wakeRoutingJob(deps, next);
}
