import type { Job } from 'bullmq';
import type { Logger } from '../logger';
import type { EngineDeps } from './engine-deps';
import type { StepJobData } from './job-data';

/** What a step's `run` is handed. */
export interface StepRun {
  deps: EngineDeps;
  job: Job<StepJobData>;
  token: string;
  data: StepJobData;
  /** Outputs of the steps that ran before this one in the same flow, by step name. */
  outputs: Record<string, unknown>;
  logger: Logger;
  /** Records a progress line on the step row (e.g. "1/2 instances running"). */
  progress(text: string): Promise<void>;
  /** Re-runs this step after `ms` without spending an attempt; never returns. */
  delay(ms: number, patch?: Partial<StepJobData>): Promise<never>;
  /** Throws CancelledError if a cancel was requested for the operation's deployment. */
  assertNotCancelled(): Promise<void>;
}

/** One step of a flow: one module under processors/. */
export interface StepModule<Output = unknown> {
  name: string;
  queue: 'steps' | 'routing';
  /** Deploy steps before assign-routes stop when a cancel is requested. */
  cancellable?: boolean;
  run(step: StepRun): Promise<Output>;
  /** One line for the step row's output column. */
  summarize?(output: Output): string;
}
