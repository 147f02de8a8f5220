import { type Job, UnrecoverableError } from 'bullmq';

/**
 * How the failure of one step reaches the root job of its operation.
 *
 * Every step job is added with `continueParentOnFailure`: when a step fails for good, BullMQ records the step's
 * failedReason on its parent and moves the parent to `wait`; the parent's processor then runs, finds the failed child
 * (`failedChild`) and fails with the child's reason (`chainFailure`), without running its own step. So the reason
 * travels up the chain unchanged and the root job's failedReason names the step that failed and its error, e.g.
 * `create-in-krane failed (krane_not_found): …`, where `failParentOnFailure` left only `child <key> failed` on each
 * parent. Jobs queued by older versions (with `failParentOnFailure`) still fail that older way.
 */

/** The failedReason of a step that failed for good: its name, its error code and its public message. */
export function stepFailureReason(step: string, code: string, message: string): string {
  return `${step} failed (${code}): ${message}`;
}

const STEP_FAILURE = /^\S+ failed \([^)\s]+\): /;

/**
 * An UnrecoverableError (BullMQ spends no further attempt) that carries no stack trace: the reason says all there is,
 * and a stack of the engine's own frames on every failed job of a chain only hides it on the dashboard.
 */
export function chainFailure(reason: string): UnrecoverableError {
  const err = new UnrecoverableError(reason);
  err.stack = '';
  return err;
}

/**
 * The reason a job's child step failed for good, when it did (nothing for a job whose child succeeded or that has no
 * child). A reason that is not a step's own (the child's job stalled too often, or was malformed) is prefixed with the
 * child's step, found from its job id `<operation>.<step>`.
 */
export async function failedChild(job: Job, operationId: string | undefined): Promise<string | undefined> {
  const failures = await job.getIgnoredChildrenFailures();
  const first = Object.entries(failures ?? {})[0];
  if (!first) return undefined;
  const [childKey, reason] = first;
  if (STEP_FAILURE.test(reason)) return reason;
  const childId = childKey.slice(childKey.lastIndexOf(':') + 1);
  const step = operationId && childId.startsWith(`${operationId}.`) ? childId.slice(operationId.length + 1) : childId;
  return `${step} failed: ${reason || 'no reason recorded'}`;
}

/** Whether a failed job failed because of its child step (either way: this engine's, or BullMQ's `child … failed`). */
export async function failedThroughChild(job: Job): Promise<boolean> {
  if (/^child /.test(job.failedReason ?? '')) return true;
  return Object.keys((await job.getIgnoredChildrenFailures()) ?? {}).length > 0;
}
