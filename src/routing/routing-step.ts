import type { RedisConnection } from '../redis/connection';
import { z } from 'zod';
import type { Db } from '../db/prisma';
import type { Prisma } from '../generated/prisma/client';
import type { DelayOptions, StepContext, StepDefinition, StepNeeds } from '../engine/define-step';
import type { EngineContext } from '../engine/engine-context';
import type { OperationJobData } from '../engine/job-data';
import { applyRouteChange, RouteChangeRecord, StaleFenceError } from './changes/apply-route-change';
import type { LockedProject, RouteDecision, RoutingTx } from './changes/route-change-types';
import { publishRouteChange } from './publication/route-publication';
import { traceRouting } from './routing-trace';
import { ProjectTurns } from './turns/project-turns';
import { releaseRoutingTurn, wakeRoutingJob } from './turns/routing-turn';

/** What a routing step needs of the application's services. */
export interface RoutingServices {
  prisma: Db;
  redis: RedisConnection;
  prefix: string;
  settings: { routingTurnCheckMs: number; traceRouting: boolean };
  /** Who measures how long routing steps wait for their project's turn (deployflow's metrics); absent: nobody. */
  turnObserver?: RoutingTurnObserver;
}

export interface RoutingTurnObserver {
  /** A routing run got its project's turn after waiting `waitedMs` since it first asked for it. */
  routingTurnWaited(kind: string, waitedMs: number): void;
}

/**
 * What every routing step keeps in its job: its place in the project's order once taken, and when it first asked for
 * its turn (epoch ms), so the wait is measured across the delays it spends waiting.
 */
const RoutingState = z.object({ ticket: z.number().int().optional(), turnAskedAt: z.number().int().optional() });
type RoutingState = z.infer<typeof RoutingState>;

type Context<Services, Data, Needs extends StepNeeds, State> = StepContext<Services, Data, Needs, State & RoutingState>;

export interface RoutingStepDefinition<Services, Data, Needs extends StepNeeds, Output, State extends object, Prepared = undefined> {
  name: string;
  needs?: Needs;
  /** What the step keeps in its job besides its ticket (e.g. assign-routes: the cancel gate passed). */
  state?: z.ZodObject<z.ZodRawShape> & z.ZodType<State>;
  /**
   * When the step takes its place in its project's routing order: when the operation is requested (rollback, promote,
   * undo: they apply in request order and the last request wins), or when a worker first picks the step up (a deploy's
   * assign-routes, after minutes of polling, queues behind whatever was requested meanwhile).
   */
  takesTurn: 'at-request' | 'at-pickup';
  /** Work before taking the turn that may fail or wait (e.g. the cancel gate of assign-routes). */
  beforeTurn?(step: Context<Services, Data, Needs, State>): Promise<void>;
  /**
   * Reads of what cannot change while the step waits, issued once the step holds its turn, before its transaction
   * (which holds the project's row lock and one connection per statement). A read that fits in one SQL expression is
   * cheaper as `readUnderLock` (no round trip of its own).
   */
  prepare?(step: Context<Services, Data, Needs, State>): Promise<Prepared>;
  /**
   * The changes to commit, decided from current state inside the transaction; `project` is the project row as the
   * transaction locked it, `prepared` what `prepare` returned.
   */
  decide(step: Context<Services, Data, Needs, State>, tx: RoutingTx, project: LockedProject, prepared: Prepared, underLock: unknown): Promise<RouteDecision>;
  /**
   * The first read `decide` needs inside the transaction, as one SQL expression sent with the replay check rather than
   * as a statement of its own (see RouteChangeRequest.readUnderLock); its value reaches `decide` as `underLock`.
   */
  readUnderLock?(step: Context<Services, Data, Needs, State>): Prisma.Sql;
  output(step: Context<Services, Data, Needs, State>, record: RouteChangeRecord): Output;
  summarize?(output: Output): string;
}

// Every so many waits, a waiting job checks that the job holding its project's turn still exists.
const HOLDER_CHECK_EVERY = 10;

async function holderVanished(engine: Pick<EngineContext, 'queues'>, turns: ProjectTurns, projectId: string): Promise<number | undefined> {
  const { serving, last, jobId } = await turns.holder(projectId);
  // A served ticket without a job: its job failed for good before its turn came and released it.
  if (!jobId) return serving <= last ? serving : undefined;
  const job = await engine.queues.routing.getJob(jobId);
  if (!job) return serving;
  const state = await job.getState();
  return state === 'failed' || state === 'completed' || state === 'unknown' ? serving : undefined;
}

/**
 * A job that waits for its turn sleeps until the holder's finish promotes it. The finish can come while this run is
 * still deciding to wait (the job not yet delayed: nothing to promote); looking once more after the job sleeps closes
 * that gap, so the turn passes on at once instead of after `routingTurnCheckMs`.
 */
function wakeWhenServed(turns: ProjectTurns, projectId: string, ticket: number): DelayOptions {
  return { wakeIf: async () => (await turns.holder(projectId)).serving === ticket };
}

/**
 * A step in the routing queue: waits for its project's turn without holding a worker or spending an attempt,
 * commits its decision in one transaction, publishes it to the gateways, then hands the turn to the next job.
 * When its operation ends for good by a failure anywhere in the flow, it gives up its place (and wakes the next).
 */
export function routingStep<Services extends RoutingServices, Data extends OperationJobData, Needs extends StepNeeds, Output, State extends object = Record<never, never>, Prepared = undefined>(
  definition: RoutingStepDefinition<Services, Data, Needs, Output, State, Prepared>,
): StepDefinition<Services, Data, Needs, Output, State & RoutingState> {
  const state = (definition.state ? RoutingState.extend(definition.state.shape) : RoutingState) as unknown as z.ZodType<State & RoutingState>;
  return {
    name: definition.name,
    queue: 'routing',
    needs: definition.needs,
    state,
    onEnqueued:
      definition.takesTurn === 'at-request'
        ? async (engine, data, jobId) => {
            await new ProjectTurns(engine.redis, engine.queues.prefix).ticket(data.projectId, jobId);
          }
        : undefined,
    onOperationEnded: (engine, data, jobId) => releaseRoutingTurn(engine, data.projectId, jobId),
    async run(step) {
      const { services, data, job } = step;
      const { settings } = services;
      const turns = new ProjectTurns(services.redis, services.prefix);
      const jobId = step.job.id ?? `${data.operationId}.${definition.name}`;
      await definition.beforeTurn?.(step);
      // The ticket and, when it is served, the turn with its fencing token: one round trip.
      const { ticket, serving, fence } = await turns.take(data.projectId, jobId);
      const turnAskedAt = step.state.turnAskedAt ?? Date.now();
      if (fence === undefined) {
        const waits = (job.data.delays ?? 0) + 1;
        if (waits === 1) step.log(`waiting for project ${data.projectId}'s routing turn: ticket ${ticket}, serving ${serving}`);
        if (waits % HOLDER_CHECK_EVERY === 0) {
          const dead = await holderVanished(step, turns, data.projectId);
          if (dead !== undefined) {
            step.logger.warn('routing turn holder vanished; serving the next ticket', { projectId: data.projectId, ticket: dead });
            await turns.finish(data.projectId, '', dead);
          }
        }
        return step.delay(settings.routingTurnCheckMs, { ticket, turnAskedAt } as Partial<State & RoutingState>, wakeWhenServed(turns, data.projectId, ticket));
      }
      // Read only by a run that holds the turn: the runs that wait (a project's queued switches wake every
      // routingTurnCheckMs) read nothing.
      const preparing = definition.prepare?.(step);
      preparing?.catch(() => undefined); // awaited below; this only keeps a failure while tracing from going unhandled
      services.turnObserver?.routingTurnWaited(data.kind, Date.now() - turnAskedAt);
      step.log(`routing turn taken: ticket ${ticket}, fence ${fence}`);

      const trace = settings.traceRouting;
      if (trace) await traceRouting(services.redis, services.prefix, { event: 'start', projectId: data.projectId, jobId, ticket, fence });
      const prepared = (await preparing) as Prepared;
      const txStarted = Date.now();
      const record = await applyRouteChange(services.prisma, {
        operationId: data.operationId,
        operationKind: data.kind,
        projectId: data.projectId,
        fence,
        readUnderLock: definition.readUnderLock?.(step),
        decide: (tx, project, underLock) => definition.decide(step, tx, project, prepared, underLock),
      }).catch(async (err) => {
        if (err instanceof StaleFenceError) {
          // The database saw a newer token than Redis hands out: Redis lost writes. Catch it up; the retry then passes.
          const project = await services.prisma.project.findUnique({ where: { id: data.projectId }, select: { routingFence: true } });
          if (project) await turns.raiseFence(data.projectId, project.routingFence);
        }
        throw err;
      });
      const txMs = Date.now() - txStarted;
      step.log(
        record.replayed
          ? `route change #${record.sequence} was already committed by an earlier run: nothing written, published again`
          : `route change #${record.sequence} committed in ${txMs} ms: ${record.changes.length} route(s) changed, live ${record.liveFrom ?? 'none'} -> ${record.liveTo ?? 'none'}` +
              (record.notes.length ? `; ${record.notes.join('; ')}` : ''),
      );
      await publishRouteChange(services.redis, services.prefix, {
        projectId: data.projectId,
        sequence: record.sequence,
        routes: record.changes.map((c) => ({ hostname: c.hostname, deploymentId: c.toDeploymentId, canary: c.canaryTo ?? null })),
      });
      if (trace) {
        await traceRouting(services.redis, services.prefix, { event: 'end', projectId: data.projectId, jobId, ticket, fence, sequence: record.sequence, liveTo: record.liveTo, txMs });
      }
      // With its fence: a stalled run that resumes after BullMQ ran its job again must not end the turn the re-run holds.
      const next = await turns.finish(data.projectId, jobId, ticket, fence);
      if (next) await wakeRoutingJob(step.queues, next);
      return definition.output(step, record);
    },
    summarize: definition.summarize,
  };
}
