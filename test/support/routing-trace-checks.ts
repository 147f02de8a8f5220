import type { RoutingTraceRecord } from '../../src/routing/routing-trace';

/** Per project: every start is followed by its own end before the next start, and tickets are served in order. */
export function assertSerialPerProject(trace: RoutingTraceRecord[]): Map<string, RoutingTraceRecord[]> {
  const byProject = new Map<string, RoutingTraceRecord[]>();
  for (const r of trace) byProject.set(r.projectId, [...(byProject.get(r.projectId) ?? []), r]);
  for (const [projectId, records] of byProject) {
    let open: RoutingTraceRecord | undefined;
    let last: RoutingTraceRecord | undefined;
    for (const r of records) {
      if (r.event === 'start') {
        if (open) throw new Error(`project ${projectId}: ${r.jobId} started while ${open.jobId} was running`);
        if (last && r.ticket <= last.ticket) {
          throw new Error(`project ${projectId}: ${r.jobId} started with ticket ${r.ticket} after ${last.jobId} had run with ticket ${last.ticket}`);
        }
        open = r;
        last = r;
      } else {
        if (!open || open.jobId !== r.jobId) throw new Error(`project ${projectId}: ${r.jobId} ended but ${open?.jobId ?? 'nothing'} was running`);
        open = undefined;
      }
    }
  }
  return byProject;
}
