import type { BulkReport, BulkSummary, LineReport } from './line-report';

function outcomeText(l: LineReport): string {
  switch (l.outcome) {
    case 'rejected':
      return `rejected ${l.code}: ${l.message}`;
    case 'enqueued':
    case 'already done':
    case 'would enqueue':
    case 'done':
    case 'would do': {
      const ids = [l.operationId, l.deploymentId && `deployment ${l.deploymentId}`].filter(Boolean).join(', ');
      return [l.outcome, ids, l.detail && `- ${l.detail}`].filter(Boolean).join(' ');
    }
  }
}

export function summaryText(s: BulkSummary): string {
  const parts: Array<[number, string]> = [
    [s.enqueued, 'enqueued'],
    [s.alreadyDone, 'already done'],
    [s.done, 'done'],
    [s.wouldEnqueue, 'would enqueue'],
    [s.wouldDo, 'would do'],
    [s.rejected, 'rejected'],
  ];
  const counts = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  return `${s.total} line(s)${s.dryRun ? ' (dry run: nothing written)' : ''}: ${counts.join(', ') || 'nothing to do'} in ${(s.elapsedMs / 1000).toFixed(1)}s`;
}

/** The per-line report for people: `line N  op  outcome`, then the summary. */
export function formatReportText(report: BulkReport): string {
  const width = Math.max(4, ...report.lines.map((l) => String(l.line).length));
  const opWidth = Math.max(2, ...report.lines.map((l) => (l.op ?? '?').length));
  const rows = report.lines.map((l) => `line ${String(l.line).padStart(width)}  ${(l.op ?? '?').padEnd(opWidth)}  ${outcomeText(l)}`);
  return [...rows, summaryText(report.summary)].join('\n') + '\n';
}

/** `--json`: one JSON object per line of the file, then `{"summary":{…}}`. */
export function formatReportJsonl(report: BulkReport): string {
  return [...report.lines.map((l) => JSON.stringify(l)), JSON.stringify({ summary: report.summary })].join('\n') + '\n';
}
