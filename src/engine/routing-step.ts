import { Job } from 'bullmq';
import { publishRouteChange } from '../gateway/route-events';
import { applyRouteChange, RouteChangeRecord, StaleFenceError } from '../route-changes/apply-route-change';
import type { RouteDecision, RoutingTx } from '../route-changes/route-change-types';
import { ProjectTurns } from '../route-changes/project-turn';
import { wakeRoutingJob } from './routing-turn';
import type { StepModule, StepRun } from './step-module';
import { traceRouting } from './routing-trace';

export interface RoutingStepDefinition<Output> {
  name: string;
  /** Work before taking the turn that may fail or wait (e.g. the cancel gate of assign-routes). */
  beforeTurn?(step: StepRun): Promise<void>;
  /** The changes to commit, decided from current state inside the transaction. */
  decide(step: StepRun, tx: RoutingTx): Promise<RouteDecision>;
  output(step: StepRun, record: RouteChangeRecord): Output;
  summarize?(output: Output): string;
}

// Every so many waits, a waiting job checks that the job holding its project's turn still exists.
const HOLDER_CHECK_EVERY = 10;

async function holderVanished(step: StepRun, turns: ProjectTurns, projectId: string): Promise<number | undefined> {
  const { serving, last, jobId } = await turns.holder(projectId);
  // A served ticket without a job: its job failed for good before its turn came and released it.
  if (!jobId) return serving <= last ? serving : undefined;
  const job = await Job.fromId(step.deps.queues.routing, jobId);
  if (!job) return serving;
  const state = await job.getState();
  return state === 'failed' || state === 'completed' || state === 'unknown' ? serving : undefined;
}

/**
 * A step in the routing queue: waits for its project's turn without holding a worker or spending an attempt,
 * commits its decision in one transaction, publishes it to the gateways, then hands the turn to the next job.
 */
export function routingStep<Output>(definition: RoutingStepDefinition<Output>): StepModule<Output> {
  return {
    name: definition.name,
    queue: 'routing',
    async run(step) {
      const { deps, data, job } = step;
      const turns = new ProjectTurns(deps.redis, deps.queues.prefix);
      const jobId = job.id!;
      await definition.beforeTurn?.(step);
      const { ticket, serving } = await turns.ticket(data.projectId, jobId);
      if (ticket !== serving) {
        const waits = (data.delays ?? 0) + 1;
        if (waits % HOLDER_CHECK_EVERY === 0) {
          const dead = await holderVanished(step, turns, data.projectId);
          if (dead !== undefined) {
            step.logger.warn('routing turn holder vanished; serving the next ticket', { projectId: data.projectId, ticket: dead });
            await turns.finish(data.projectId, '', dead);
          }
        }
        return step.delay(deps.settings.routingTurnCheckMs, { ticket });
      }
      const fence = await turns.acquire(data.projectId, jobId, ticket);
      if (fence === undefined) return step.delay(deps.settings.routingTurnCheckMs, { ticket });

      const trace = deps.settings.traceRouting;
      if (trace) await traceRouting(deps.redis, deps.queues.prefix, { event: 'start', projectId: data.projectId, jobId, ticket });
      const txStarted = Date.now();
      const record = await applyRouteChange(deps.prisma, {
        operationId: data.operationId,
        operationKind: data.kind,
        projectId: data.projectId,
        fence,
        decide: (tx) => definition.decide(step, tx),
      }).catch(async (err) => {
        if (err instanceof StaleFenceError) {
          // The database saw a newer token than Redis hands out: Redis lost writes. Catch it up; the retry then passes.
          const project = await deps.prisma.project.findUnique({ where: { id: data.projectId }, select: { routingFence: true } });
          if (project) await turns.raiseFence(data.projectId, project.routingFence);
        }
        throw err;
      });
      const txMs = Date.now() - txStarted;
      await publishRouteChange(deps.redis, deps.queues.prefix, {
        projectId: data.projectId,
        sequence: record.sequence,
        routes: record.changes.map((c) => ({ hostname: c.hostname, deploymentId: c.toDeploymentId })),
      });
      if (trace) {
        await traceRouting(deps.redis, deps.queues.prefix, { event: 'end', projectId: data.projectId, jobId, ticket, sequence: record.sequence, liveTo: record.liveTo, txMs });
      }
      const next = await turns.finish(data.projectId, jobId, ticket);
      if (next) await wakeRoutingJob(deps, next);
      return definition.output(step, record);
    },
    summarize: definition.summarize,
  };
}
