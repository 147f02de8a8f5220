import type { z } from 'zod';
import type { Db } from '../db/prisma';
import type { Operation, Prisma } from '../generated/prisma/client';
import type { CancelRequest } from './errors';
import type { AnyStep, StepDefinition, StepNeeds, StepQueue } from './define-step';
import type { OperationJobData } from './job-data';

/** A step as a flow places it: on the queue the flow says it runs on. */
export interface PlacedStep<Step extends AnyStep = AnyStep> {
  step: Step;
  queue: StepQueue;
  /** Runs at the same time as the other leading steps so marked, all before the first step that is not (see `concurrently`). */
  concurrent?: boolean;
}

/**
 * Runs the first steps of a flow at the same time: each is a child of the step after them, which starts once all have
 * succeeded (and fails at once, with the reason, when one fails for good). Only the first steps of a flow can: a BullMQ
 * job has one parent, so steps after another step could not all wait for it. None may need another of them.
 */
export function concurrently(...placed: PlacedStep[]): PlacedStep[] {
  return placed.map((p) => ({ ...p, concurrent: true }));
}

/** Places a step on the `steps` queue (every step that is not a route change). */
export function onSteps<Step extends AnyStep>(step: Step): PlacedStep<Step> {
  return { step, queue: 'steps' };
}

/** Places a step on the `routing` queue (short steps that take their project's turn). */
export function onRouting<Step extends AnyStep>(step: Step): PlacedStep<Step> {
  return { step, queue: 'routing' };
}

/**
 * Places a step on the `switches` queue: the steps a traffic switch runs before its routing step, so that they never
 * queue behind deploy steps and polls (see QueueName.switches).
 */
export function onSwitches<Step extends AnyStep>(step: Step): PlacedStep<Step> {
  return { step, queue: 'switches' };
}

/** How a failed operation ended. */
export interface FlowFailure {
  step: string;
  code: string;
  message: string;
  /** Stopped on purpose: cancelled on request, or superseded (then `supersededBy` says by what). */
  cancelled: boolean;
  supersededBy?: string;
}

/** Undoes what a failed operation left behind, as a job of its own (retried with backoff, its own step row). */
export interface Compensation<Services, Data> {
  name: string;
  /** Returns a one-line summary for the step row. Must be idempotent. */
  run(services: Services, data: Data): Promise<string>;
}

/** What the engine asks of the application about one kind of operation, beyond its steps. */
export interface FlowHooks<Services, Data> {
  /**
   * What was cancelled (e.g. `deployment dep_…`) when cancellation was requested, or what was superseded and by what:
   * cancellable steps then stop.
   */
  cancelRequested?(services: Services, data: Data): Promise<CancelRequest | undefined>;
  /**
   * The same check as `cancelRequested`, as SQL, so that a cancellable step's first run makes it inside the statement
   * that records its start (one statement less per step; the answer is read in the same snapshot a separate read would
   * have had). `query` selects at most one row with `requested` (boolean) and `supersededBy` (text, null unless
   * superseded); `answer` turns a row whose `requested` is true into the request. Runs after the first (polls) and
   * flows without it use `cancelRequested`.
   */
  cancelRequestedSql?: {
    query(data: Data): Prisma.Sql;
    answer(data: Data, row: { supersededBy: string | null }): CancelRequest;
  };
  /**
   * A change that traffic already follows was committed for this operation: a later failure rolls the operation
   * forward (it succeeds, the failure noted) instead of failing it.
   */
  committed?(services: Services, data: Data): Promise<boolean>;
  /** The operation failed or was cancelled for good: the application's own records (e.g. the deployment's status). */
  onFailed?(services: Services, data: Data, failure: FlowFailure): Promise<void>;
  /** The operation rolled forward (see `committed`). */
  onRolledForward?(services: Services, data: Data): Promise<void>;
  /** What a finished operation records as its result. */
  outcome?(services: Services, data: Data): Promise<Record<string, unknown>>;
  /** Run after a failure that did not roll forward. */
  compensation?: Compensation<Services, Data>;
}

/** One kind of operation: its job data, its steps in the order they run and the queue each runs on, and its hooks. */
export interface FlowDefinition<Services, Data extends OperationJobData> extends FlowHooks<Services, Data> {
  kind: string;
  /** The operation's job data; every job of the flow is validated against it when a worker picks it up. */
  data: z.ZodType<Data>;
  /** The job data of an operation row (validated by `data`: an operation missing what its flow needs fails clearly). */
  fromOperation(operation: Operation): unknown;
  /**
   * What an operation acts on, in a few words for people reading the queues (e.g. `shop/production`): its jobs are
   * named after it (`deploy shop/production`, `create-in-krane · shop/production`). Absent or nothing: bare names.
   */
  subject?(prisma: Db, data: Data): Promise<string | undefined>;
  steps: readonly PlacedStep[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFlow = FlowDefinition<any, any>;

/** Something wrong in how a flow is put together: found when the flow module loads, never at run time. */
export class FlowDefinitionError extends Error {}

/** How many steps a flow starts with that run at the same time (0: the flow is a chain from its first step). */
export function concurrentLeadCount(flow: Pick<AnyFlow, 'steps'>): number {
  const lead = flow.steps.findIndex((s) => !s.concurrent);
  return lead === -1 ? flow.steps.length : lead;
}

/**
 * Checks and returns a flow: each step on the queue it was written for, no step name twice, every step's `needs`
 * among the steps that have finished before it starts (so a step never reads an output that cannot exist yet), and
 * concurrent steps only at the start, at least two of them, with a step after them that waits for all.
 */
export function defineFlow<Services, Data extends OperationJobData>(flow: FlowDefinition<Services, Data>): FlowDefinition<Services, Data> {
  const seen = new Set<AnyStep>();
  const names = new Set<string>();
  const lead = concurrentLeadCount(flow);
  if (flow.steps.slice(lead).some((s) => s.concurrent)) {
    throw new FlowDefinitionError(`flow ${flow.kind}: only the first steps of a flow can run concurrently`);
  }
  if (lead === 1) throw new FlowDefinitionError(`flow ${flow.kind}: step ${flow.steps[0].step.name} cannot run concurrently on its own`);
  if (lead > 0 && lead === flow.steps.length) throw new FlowDefinitionError(`flow ${flow.kind}: concurrent steps need a step after them that waits for all`);
  flow.steps.forEach(({ step, queue }, position) => {
    if (step.queue !== queue) {
      throw new FlowDefinitionError(`flow ${flow.kind}: step ${step.name} runs on the ${step.queue} queue but is placed on ${queue}`);
    }
    if (names.has(step.name)) throw new FlowDefinitionError(`flow ${flow.kind}: step ${step.name} appears twice`);
    for (const [as, needed] of Object.entries((step as StepDefinition<Services, Data, StepNeeds, unknown, unknown>).needs ?? {})) {
      if (!seen.has(needed)) {
        throw new FlowDefinitionError(`flow ${flow.kind}: step ${step.name} needs ${needed.name} (as ${as}), which does not run before it`);
      }
    }
    names.add(step.name);
    // Concurrent steps finish before the step after them starts, not before one another.
    if (position >= lead) seen.add(step);
    if (position === lead - 1) flow.steps.slice(0, lead).forEach((s) => seen.add(s.step));
  });
  if (flow.compensation && names.has(flow.compensation.name)) {
    throw new FlowDefinitionError(`flow ${flow.kind}: the compensation is named like a step (${flow.compensation.name})`);
  }
  return flow;
}
