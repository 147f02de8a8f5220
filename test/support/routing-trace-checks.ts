import type { RoutingTraceRecord } from '../../src/routing/routing-trace';

/** Per project: every start is followed by its own end before the next start, and tickets are served in order. */
export function assertSerialPerProject(trace: RoutingTraceRecord[]): Map<string, RoutingTraceRecord[]> {
  const byProject = new Map<string, RoutingTraceRecord[]>();
  for (const r of trace) byProject.set(r.projectId, [...(byProject.get(r.projectId) ?? []), r]);
  for (const [projectId, records] of byProject) {
    let open: RoutingTraceRecord | undefined;
    let lastTicket = 0;
    for (const r of records) {
      if (r.event === 'start') {
        if (open) throw new Error(`project ${projectId}: ${r.jobId} started while ${open.jobId} was running`);
        if (r.ticket <= lastTicket) throw new Error(`project ${projectId}: ticket ${r.ticket} ran after ticket ${lastTicket}`);
        open = r;
        lastTicket = r.ticket;
      } else {
        if (!open || open.jobId !== r.jobId) throw new Error(`project ${projectId}: ${r.jobId} ended but ${open?.jobId ?? 'nothing'} was running`);
        open = undefined;
      }
    }
  }
  return byProject;
}
