import type { RoutingTraceRecord } from '../../src/routing/routing-trace';

/**
 * Per project: runs of *different* routing jobs never overlap, and they take their turns in ticket order.
 *
 * A second run of the same job is not a second job. BullMQ starts one when a worker's lock lapsed while the first run
 * was still going or just finishing (a false stall: on a loaded 2-core machine a worker process can go unscheduled for
 * longer than the routing queue's lock allows, 1.25-1.5 s), or after a failed attempt. The engine makes it safe by fencing: each run
 * that gets the turn takes a newer token, so of two runs only one can commit, and a run that finds its route change
 * already committed replays it and commits nothing. So a re-run is accepted only if that is what it did: every run of
 * a job that ended names the same route change (sequence), and no run of another job overlaps it. Once one run of a
 * job ended, the job is done: a run of it that never ends (refused by the fence) leaves nothing open.
 *
 * Records that carry the run's fencing token tell a job's runs apart. A run whose token is older than one already seen
 * in the project took its turn before that newer run took its own and was starved before it wrote its start (a stalled
 * run resuming late): it can commit nothing and holds no turn (finish refuses its token), so it is checked only for
 * naming its job's route change, and its end never closes the newer run of its job: that one stays open until it ends.
 */
export function assertSerialPerProject(trace: RoutingTraceRecord[]): Map<string, RoutingTraceRecord[]> {
  const byProject = new Map<string, RoutingTraceRecord[]>();
  for (const r of trace) byProject.set(r.projectId, [...(byProject.get(r.projectId) ?? []), r]);
  for (const [projectId, records] of byProject) {
    const open = new Map<string, RoutingTraceRecord>();
    const committed = new Map<string, number | undefined>();
    const stale = new Set<string>();
    let newestFence = 0;
    let last: RoutingTraceRecord | undefined;
    for (const r of records) {
      if (r.fence !== undefined && stale.has(`${r.jobId} ${r.fence}`)) {
        if (r.event === 'end' && committed.has(r.jobId) && committed.get(r.jobId) !== r.sequence) {
          throw new Error(`project ${projectId}: a stalled run of ${r.jobId} (fence ${r.fence}) committed route change #${r.sequence} beside #${committed.get(r.jobId)}`);
        }
        if (r.event === 'end' && !committed.has(r.jobId)) committed.set(r.jobId, r.sequence);
        continue;
      }
      if (r.event === 'start') {
        if (r.fence !== undefined && r.fence < newestFence) {
          stale.add(`${r.jobId} ${r.fence}`);
          continue;
        }
        newestFence = Math.max(newestFence, r.fence ?? 0);
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
        // An older run of the job ending does not end the newer run that is open (it holds the turn).
        const running = open.get(r.jobId);
        if (running?.fence === undefined || r.fence === undefined || running.fence === r.fence) open.delete(r.jobId);
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
