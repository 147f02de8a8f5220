import { readFileSync } from 'node:fs';

/**
 * How much of a stretch of wall-clock time this thread spent runnable but waiting for a CPU that *other* processes
 * held: the part of an answer's lateness that the machine's load caused and this process's code did not.
 *
 * Why: on a 2-core machine kept busy by other processes (CPU hogs, a second Jest worker, PostgreSQL), the kernel can
 * leave a runnable thread off the CPU for 100–300 ms. A timed bound on "the event loop never stalls" then measures the
 * scheduler, not the code; measured while a hostile OpenAPI scrape ran, the longest delays of the serving thread were
 * spent almost entirely waiting on the run queue (0–20 ms of CPU in a 150–250 ms stall). Linux counts that wait per
 * thread (`/proc/thread-self/schedstat`: ns on a CPU, ns waiting on a run queue), so it can be taken out exactly.
 *
 * What is *not* taken out: time this thread ran (a parse or a GC on the event loop), time it was blocked in a system
 * call (a synchronous write to a full pipe), and any run-queue wait behind this process's own other threads (a worker
 * thread parsing, V8's GC helpers): that wait is credited only beyond the CPU time those threads used meanwhile
 * (`process.cpuUsage()` counts every thread of the process; child processes are not in it).
 *
 * Call it from the thread whose event loop serves (the main thread of a Jest worker). Where /proc does not say
 * (not Linux), nothing is credited and callers fall back to the plain wall-clock time.
 */
export interface SchedulerClock {
  /** ns this thread spent on a CPU / waiting on a run queue, since it started */
  onCpuNs: number;
  waitingNs: number;
  /** µs of CPU the whole process (every thread) used, since it started */
  processCpuUs: number;
}

export function readSchedulerClock(): SchedulerClock | undefined {
  try {
    const [onCpu, waiting] = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    if (!Number.isFinite(onCpu) || !Number.isFinite(waiting)) return undefined;
    const { user, system } = process.cpuUsage();
    return { onCpuNs: onCpu, waitingNs: waiting, processCpuUs: user + system };
  } catch {
    return undefined;
  }
}

/** Milliseconds between two readings that this thread waited for a CPU held by other processes (0 when unknown). */
export function othersWaitMs(from: SchedulerClock | undefined, to: SchedulerClock | undefined): number {
  if (!from || !to) return 0;
  const waitedMs = (to.waitingNs - from.waitingNs) / 1e6;
  const ownOtherThreadsMs = Math.max(0, (to.processCpuUs - from.processCpuUs) / 1e3 - (to.onCpuNs - from.onCpuNs) / 1e6);
  return Math.max(0, waitedMs - ownOtherThreadsMs);
}
