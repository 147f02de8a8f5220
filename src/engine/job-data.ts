import { z } from 'zod';

/**
 * What every job of an operation's flow carries (the root job exactly this; a flow's schema extends it with its own
 * fields). Small, JSON, and enough for a step to find everything else in the database.
 */
export const OperationJobData = z.object({
  operationId: z.string().min(1),
  kind: z.string().min(1),
  projectId: z.string().min(1),
  /** Owner of the step rows: whose timeline they belong to. */
  ownerId: z.string().min(1),
  /** The HTTP request that asked for the operation (its x-request-id): on every log line of its jobs. */
  requestId: z.string().min(1).optional(),
  /** What the operation acts on, for people reading the queues (e.g. `shop/production`): part of its jobs' names. */
  subject: z.string().optional(),
});
export type OperationJobData = z.infer<typeof OperationJobData>;

/** What the engine itself keeps in every step job, beside the flow's data and the step's own state. */
export const StepJobFields = z.object({
  step: z.string().min(1),
  /** Position in the flow, for ordering the timeline. */
  position: z.number().int().min(0),
  /** How often the job has delayed itself (polling, waiting for its turn). */
  delays: z.number().int().min(0).optional(),
  /** When this step first met an unreachable database in its current outage (see infrastructure-outage.ts). */
  outageSince: z.number().optional(),
});
export type StepJobFields = z.infer<typeof StepJobFields>;

/** What every step job returns: the outputs of all steps so far, keyed by step name. */
export interface StepResult {
  outputs: Record<string, unknown>;
}

/** The first problem zod found, as one line naming the field. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(job data)'}: ${issue.message}` : 'invalid';
}
