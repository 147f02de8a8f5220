import type { RoutingTraceRecord } from '../../src/routing/routing-trace';

/**
 * Per project: runs of *different* routing jobs never overlap, and they take their turns in ticket order.
 *
 * A second run of the same job is not a second job. BullMQ starts one when a worker's lock lapsed while the first run
 * was still going or just finishing (a false stall: on a loaded 2-core machine a worker process can go unscheduled for
 * longer than the routing queue's 2 s lock), or after a failed attempt. The engine makes it safe by fencing: each run
 * that gets the turn takes a newer token, so of two runs only one can commit, and a run that finds its route change
 * already committed replays it and commits nothing. So a re-run is accepted only if that is what it did: every run of
 * a job that ended names the same route change (sequence), and no run of another job overlaps it. Once one run of a
 * job ended, the job is done: a run of it that never ends (refused by the fence) leaves nothing open.
 */
export function assertSerialPerProject(trace: RoutingTraceRecord[]): Map<string, RoutingTraceRecord[]> {
  const byProject = new Map<string, RoutingTraceRecord[]>();
  for (const r of trace) byProject.set(r.projectId, [...(byProject.get(r.projectId) ?? []), r]);
  for (const [projectId, records] of byProject) {
    const open = new Map<string, RoutingTraceRecord>();
    const committed = new Map<string, number | undefined>();
    let last: RoutingTraceRecord | undefined;
    for (const r of records) {
      if (r.event === 'start') {
        const other = [...open.values()].find((o) => o.jobId !== r.jobId);
        if (other) throw new Error(`project ${projectId}: ${r.jobId} started while ${other.jobId} was running`);
        const rerunOfLast = last?.jobId === r.jobId;
        if (last && (rerunOfLast ? r.ticket < last.ticket : r.ticket <= last.ticket)) {
          throw new Error(`project ${projectId}: ${r.jobId} started with ticket ${r.ticket} after ${last.jobId} had run with ticket ${last.ticket}`);
        }
        open.set(r.jobId, r);
        last = r;
      } else {
        // A job's other run may end after the job was done (its re-run overlapped it): it must have committed nothing new.
        if (!open.has(r.jobId) && !committed.has(r.jobId)) throw new Error(`project ${projectId}: ${r.jobId} ended but ${[...open.keys()].join(', ') || 'nothing'} was running`);
        if (committed.has(r.jobId) && committed.get(r.jobId) !== r.sequence) {
          throw new Error(`project ${projectId}: ${r.jobId} ran again and committed route change #${r.sequence} after #${committed.get(r.jobId)}`);
        }
        committed.set(r.jobId, r.sequence);
        open.delete(r.jobId);
      }
    }
  }
  return byProject;
}

/** The jobs of one project's trace records that ended (each counted once, however often it ran). */
export function endedJobs(records: RoutingTraceRecord[]): string[] {
  return [...new Set(records.filter((r) => r.event === 'end').map((r) => r.jobId))];
}

/** How many runs were re-runs of a job that had run before (false stalls or retried attempts): reported, not hidden. */
export function rerunCount(trace: RoutingTraceRecord[]): number {
  const starts = trace.filter((r) => r.event === 'start');
  return starts.length - new Set(starts.map((r) => `${r.projectId} ${r.jobId}`)).size;
}
