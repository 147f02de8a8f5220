import { ErrorCode } from 'bullmq';

const LOCK_GONE = new Set<number>([ErrorCode.JobLockNotExist, ErrorCode.JobLockMismatch]);

/**
 * BullMQ refused a command of this run (a delay, a move) because the job is no longer this run's: its lock lapsed (its
 * worker starved past it) and the stall check gave the job to another run, which holds it now (a lock of its own), or
 * put it back in line (no lock, not active). Whatever this run saw, its outcome is not the job's: it must record
 * nothing (no failed step row, no failed operation, no turn passed on). The run holding the job decides.
 */
export function lostItsJob(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'number') return false;
  if (LOCK_GONE.has(code)) return true;
  return code === ErrorCode.JobNotInState && typeof message === 'string' && message.includes('not in the active state');
}
