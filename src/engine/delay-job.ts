import type { Job } from 'bullmq';

/** The part of BullMQ's queue backend that moves a job to the delayed set (what Job.moveToDelayed calls). */
interface DelayingBackend {
  moveToDelayed(jobId: string, timestamp: number, delay: number, token: string, opts: { skipAttempt: boolean; fieldsToUpdate: Record<string, string> }): Promise<unknown>;
}

/**
 * Puts an active job to sleep for `ms` with `data` as its new data, in one Redis command: BullMQ's moveToDelayed
 * script takes fields to write with the move (its own delayed retries write their reason that way), after it checked
 * the job's lock. A polling step used to send its state (updateData) and its delay (moveToDelayed) one after the
 * other: two round trips on every poll, and a crash between them left a job that had its new state but no delay
 * (it was then re-run from its state as a stalled job). `Job.moveToDelayed` does not pass fields on, so this calls
 * the backend behind it; were that ever gone, it falls back to the two commands.
 */
export async function delayJobWithData(job: Job, token: string, ms: number, data: object): Promise<void> {
  const backend = (job as unknown as { backend?: Partial<DelayingBackend> }).backend;
  if (typeof backend?.moveToDelayed !== 'function' || job.id === undefined) {
    await job.updateData(data);
    await job.moveToDelayed(Date.now() + ms, token);
    return;
  }
  await backend.moveToDelayed(job.id, Date.now(), Math.max(0, ms), token, { skipAttempt: true, fieldsToUpdate: { data: JSON.stringify(data) } });
  job.data = data;
}
