import type { EngineContext } from '../../engine/engine-context';
import type { EngineQueues } from '../../engine/queues';
import { ProjectTurns } from './project-turns';

/** The next job of the project is probably sleeping between looks at its turn: wake it now. */
export async function wakeRoutingJob(queues: EngineQueues, jobId: string): Promise<void> {
  try {
    const job = await queues.routing.getJob(jobId);
    if (job && (await job.isDelayed())) await job.promote();
  } catch {
    // It woke up by itself meanwhile: nothing to do.
  }
}

/**
 * An operation that ends for good gives up its place in the project's routing order, whether its routing step held the
 * turn (it failed during its run) or was still waiting (an earlier step failed), and wakes whoever is served next.
 */
export async function releaseRoutingTurn(engine: Pick<EngineContext, 'redis' | 'queues'>, projectId: string, jobId: string): Promise<void> {
  const turns = new ProjectTurns(engine.redis, engine.queues.prefix);
  const ticket = await turns.peek(projectId, jobId);
  if (ticket === undefined) return;
  const next = await turns.finish(projectId, jobId, ticket);
  if (next) await wakeRoutingJob(engine.queues, next);
}
