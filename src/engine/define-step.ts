import type { Job } from 'bullmq';
import type { z } from 'zod';
import type { Logger } from '../logger';
import type { EngineContext } from './engine-context';
import type { EngineQueues } from './queues';
import type { QueueName } from './queue-names';
import type { StepProgress } from './step-journal';

/**
 * The queues a step can run on: `routing` for short steps that take a per-project turn, `switches` for a traffic
 * switch's steps before that (never behind deploy work), `steps` for all others.
 */
export type StepQueue = Exclude<QueueName, 'operations' | 'reconciler'>;

/** Any step definition, whatever its services, data, inputs and output. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = StepDefinition<any, any, any, any, any>;

/** The output type a step definition declares. */
export type OutputOf<T> = T extends StepDefinition<any, any, any, infer O, any> ? O : never; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Earlier steps a step reads the outputs of, by the name it wants to use for each. */
export type StepNeeds = Record<string, AnyStep>;

/** The outputs of the steps a step needs, typed by what each of those steps declares. */
export type NeededOutputs<N extends StepNeeds> = { readonly [K in keyof N]: OutputOf<N[K]> };

/** A zod object describing what a step keeps in its job between runs (poll counters, a ticket, a gate passed). */
export type StepStateSchema = z.ZodObject<z.ZodRawShape>;

/** How a delayed step may be run again before its delay is up. */
export interface DelayOptions {
  /**
   * Asked once the job sleeps in the delayed set: true runs it again at once. For a step that waits for something
   * another job announces by promoting it (a routing turn passed on): an announcement made while this run was still
   * deciding to wait found the job not yet delayed and could not wake it; this look, made after, cannot miss it.
   */
  wakeIf?(): Promise<boolean>;
}

/** What a step's `run` is handed. */
export interface StepContext<Services, Data, Needs extends StepNeeds, State> {
  /** Whatever the application gave the engine: database, clients, settings. */
  services: Services;
  /** The operation's job data, validated against its flow's schema. */
  data: Data;
  /** The outputs of the earlier steps this step declared in `needs`. */
  needs: NeededOutputs<Needs>;
  /** What this step kept in its job on earlier runs (see `state` on the definition). */
  state: State;
  /** The step's BullMQ job and lock token, for what only BullMQ can do (its id, its queue). */
  job: Job;
  token: string;
  queues: EngineQueues;
  logger: Logger;
  /**
   * Adds a line to the job's log on the dashboard (a decision the step took, what it found). For people watching the
   * queues; never fails the step. The runner already logs the start, the inputs, the outcome and its duration.
   */
  log(line: string): void;
  /**
   * Records a progress line on the step row (e.g. "1/2 instances running"), and in the job's log; with `figures`,
   * also as the job's progress on the dashboard (e.g. `{ ready: 1, total: 2, percent: 50 }`).
   */
  progress(text: string, figures?: StepProgress): Promise<void>;
  /** Shows how far the step is as the job's progress on the dashboard only (the step row is left as it is). */
  reportProgress(figures: StepProgress): void;
  /** Keeps `patch` in the job's state now (it survives a crash of this run). */
  saveState(patch: Partial<State>): Promise<void>;
  /** Runs this step again after `ms`, keeping `patch` in its state, without spending an attempt; never returns. */
  delay(ms: number, patch?: Partial<State>, options?: DelayOptions): Promise<never>;
}

/**
 * Hooks a step can have beyond its run, called by the engine at points of the operation's life. They get the engine's
 * own context, not the application's services: `onEnqueued` also runs where operations are only produced (an API
 * process, the bulk script), with no Krane and no workers.
 */
export interface StepHooks<Data> {
  /**
   * When the operation is enqueued, just before its flow is added (e.g. a routing step takes its place in its project's
   * order); given back through `onOperationEnded` if the flow cannot be added.
   */
  onEnqueued?(engine: EngineContext, data: Data, jobId: string): Promise<void>;
  /** The operation ended for good without this step finishing it (a failure anywhere in the flow): release what it holds. */
  onOperationEnded?(engine: EngineContext, data: Data, jobId: string): Promise<void>;
}

/** One step of a flow: one module under processors/. Its name is the job's name, the step row's and the logs'. */
export interface StepDefinition<Services, Data, Needs extends StepNeeds, Output, State> extends StepHooks<Data> {
  name: string;
  queue: StepQueue;
  /** Earlier steps whose outputs this step reads (checked when a flow is defined: they must come before it). */
  needs?: Needs;
  /** What the step keeps in its job between runs; validated when the job is picked up. */
  state?: z.ZodType<State>;
  /** Steps before the point of no return stop when the operation's cancellation was requested (checked at every run). */
  cancellable?: boolean;
  run(step: StepContext<Services, Data, Needs, State>): Promise<Output>;
  /** One line for the step row's output column. */
  summarize?(output: Output): string;
}

/**
 * A step maker for one kind of services and job data: `const deployStep = stepsFor<Services, DeployJobData>()`, then
 * `deployStep({ name, needs, run })` infers the step's inputs, state and output from what it is given. A step runs on
 * the `steps` queue unless it names another (`queue: 'switches'`, `queue: 'routing'`).
 */
export function stepsFor<Services, Data>() {
  return <Output, Needs extends StepNeeds = Record<never, never>, State = Record<never, never>>(
    definition: Omit<StepDefinition<Services, Data, Needs, Output, State>, 'queue'> & { queue?: StepQueue },
  ): StepDefinition<Services, Data, Needs, Output, State> => ({ ...definition, queue: definition.queue ?? 'steps' });
}
