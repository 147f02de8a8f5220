import { readFileSync } from 'node:fs';

/**
 * A process named by PID *and* start time. A PID alone is not an identity: once its process is gone the kernel hands
 * the number to the next process, so a lock or pid file that trusted a bare PID would trust a stranger.
 */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined where /proc does not exist. */
  startTime?: string;
}

/** Start time of a live process from /proc, or undefined (no /proc, or no such process). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')': fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Whether a signal could reach the PID (it exists; EPERM means it exists but belongs to someone else). */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function currentProcessIdentity(): ProcessIdentity {
  return { pid: process.pid, startTime: processStartTime(process.pid) };
}

/**
 * Whether the process the identity names is still running. With /proc the start time must match (a recycled PID is
 * another process); without /proc (macOS) only the PID can be checked.
 */
export function isSameProcessRunning(identity: ProcessIdentity): boolean {
  if (!pidExists(identity.pid)) return false;
  const now = processStartTime(identity.pid);
  if (now === undefined || identity.startTime === undefined) return now === undefined;
  return now === identity.startTime;
}
