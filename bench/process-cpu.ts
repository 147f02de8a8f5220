import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of one process, in seconds (0 once it is gone). */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of /proc/<pid>/stat (utime, stime); the slice above starts at field 3.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** utime + stime of a group of processes, in seconds. */
export function cpuSecondsOfAll(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
}

/** Busy CPU time of the whole machine so far (every process, ours and others'), in seconds. */
function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = everything but idle and iowait.
  const busy = fields.slice(0, 8).reduce((sum, v) => sum + v, 0) - fields[3] - fields[4];
  return busy / TICKS_PER_SECOND;
}

/** A process and its direct children (PostgreSQL's backends), read from /proc. */
export function withChildren(parent: number): number[] {
  const pids = [parent];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/**
 * CPU time spent by named groups of processes between `start()` and `stop()`, as a share of one core over the wall
 * time (what `pidstat` prints as %CPU): 100 = one core busy all along. Groups are re-read at stop, so backends that
 * came and went in between are missed; PostgreSQL keeps its pooled backends for the whole run.
 */
export function measureCpu(groups: Record<string, () => number[]>): { stop(): Record<string, number> } {
  const started = Date.now();
  const machineBefore = machineBusySeconds();
  const before = new Map<number, number>();
  for (const pids of Object.values(groups)) for (const pid of pids()) before.set(pid, cpuSecondsOf(pid));
  return {
    stop() {
      const wallSeconds = (Date.now() - started) / 1000;
      const result: Record<string, number> = {};
      for (const [name, pids] of Object.entries(groups)) {
        const seconds = pids().reduce((sum, pid) => sum + cpuSecondsOf(pid) - (before.get(pid) ?? 0), 0);
        result[name] = Math.round((seconds / wallSeconds) * 100);
      }
      // The whole machine, for comparison: what the groups above do not account for is other work on the host.
      result['machine (every process)'] = Math.round(((machineBusySeconds() - machineBefore) / wallSeconds) * 100);
      return result;
    },
  };
}
