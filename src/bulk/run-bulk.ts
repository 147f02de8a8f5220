import path from 'node:path';
import { DeployflowError, NotFoundError } from '../errors';
import type { Workspace } from '../generated/prisma/client';
import { resolveProject } from '../operations/resolve-project';
import type { BulkLine } from './bulk-line';
import type { Clock } from './clock';
import { systemClock } from './clock';
import { dryRunLine } from './dry-run-line';
import { executeLine } from './execute-line';
import { Lanes } from './lanes';
import type { BulkDeps, LineJob, LineResult } from './line-job';
import { lineIdempotencyKeys } from './line-key';
import { BulkReport, LineReport, summarize } from './line-report';
import type { BulkProgress } from './progress';
import { createRateLimiter } from './rate-limiter';
import type { SourceLine } from './read-lines';
import { validateLine } from './validate-line';

export interface BulkOptions {
  /** The file the lines came from: its base name goes into `requestedBy` (`script:<name>:<line>`). */
  fileName: string;
  /** Validate and check everything, write nothing. */
  dryRun?: boolean;
  /** At most this many lines start per second; unlimited when unset. */
  rate?: number;
  /** Lines in flight at once (default 1); the lines of one project always run in file order. */
  concurrency?: number;
  progress?: BulkProgress;
  clock?: Clock;
}

/** A refusal from a service (typed, with a code), or anything else, as a rejected line. */
function rejection(err: unknown): LineResult {
  if (err instanceof DeployflowError) return { outcome: 'rejected', code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { outcome: 'rejected', code: 'internal', message: `${message} (nothing is lost: the line can be run again)` };
}

/** Finds the caller's workspace and the project a line belongs to (its lane), with memoised reads. */
function createResolver(deps: BulkDeps) {
  const workspaces = new Map<string, Promise<Workspace | null>>();
  const projects = new Map<string, Promise<string>>();
  const workspace = (slug: string) => {
    let found = workspaces.get(slug);
    if (!found) {
      found = deps.prisma.workspace.findUnique({ where: { slug } });
      workspaces.set(slug, found);
      found.catch(() => workspaces.delete(slug));
    }
    return found;
  };
  const memo = (key: string, load: () => Promise<string>) => {
    let found = projects.get(key);
    if (!found) {
      found = load();
      projects.set(key, found);
      // A failed lookup is not remembered: a later line may name a deployment created meanwhile.
      found.catch(() => projects.delete(key));
    }
    return found;
  };
  const projectOf = (workspaceId: string, line: BulkLine): Promise<string> => {
    if (line.op === 'cancel' || line.op === 'rescrape-openapi') {
      return memo(`${workspaceId}\ndeployment\n${line.deploymentId}`, async () => {
        const d = await deps.prisma.deployment.findFirst({ where: { id: line.deploymentId, project: { workspaceId } }, select: { projectId: true } });
        if (!d) throw new NotFoundError('deployment', line.deploymentId);
        return d.projectId;
      });
    }
    return memo(`${workspaceId}\nproject\n${line.projectId}`, async () => (await resolveProject(deps.prisma, workspaceId, line.projectId)).id);
  };
  return { workspace, projectOf };
}

/**
 * Runs the lines of a bulk file: each is validated, given its caller and idempotency key, and run through the same
 * service functions as the API (or, in a dry run, checked with reads only). An invalid or refused line is reported
 * and the others still run. Returns one report per line, in file order, and a summary.
 */
export async function runBulk(deps: BulkDeps, lines: SourceLine[], options: BulkOptions): Promise<BulkReport> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const dryRun = options.dryRun ?? false;
  const fileName = path.basename(options.fileName);
  const limiter = createRateLimiter(options.rate, clock);
  const lanes = new Lanes(options.concurrency ?? 1);
  const resolver = createResolver(deps);
  const reports: LineReport[] = [];
  let rejected = 0;

  const record = (report: LineReport) => {
    reports.push(report);
    if (report.outcome === 'rejected') rejected += 1;
    options.progress?.update(reports.length, rejected);
  };

  options.progress?.start(lines.length);
  const validated = lines.map(validateLine);
  const keys = lineIdempotencyKeys(validated.flatMap((v) => (v.ok ? [{ lineNumber: v.source.lineNumber, text: v.source.text, workspace: v.line.workspace }] : [])));

  for (const v of validated) {
    const lineNumber = v.source.lineNumber;
    if (!v.ok) {
      record({ line: lineNumber, op: v.op ?? null, outcome: 'rejected', code: v.code, message: v.message, issues: v.issues });
      continue;
    }
    const op = v.line.op;
    let job: LineJob;
    let lane: string;
    try {
      const workspace = await resolver.workspace(v.line.workspace);
      if (!workspace) throw new NotFoundError('workspace', v.line.workspace);
      lane = await resolver.projectOf(workspace.id, v.line);
      job = { lineNumber, line: v.line, caller: { workspaceId: workspace.id, requestedBy: `script:${fileName}:${lineNumber}` }, idempotencyKey: keys.get(lineNumber)! };
    } catch (err) {
      record({ line: lineNumber, op, ...rejection(err) });
      continue;
    }
    lanes.add(lane, async () => {
      await limiter.take();
      record({ line: lineNumber, op, ...(await runLine(deps, job, dryRun)) });
    });
  }
  await lanes.drain();
  options.progress?.finish();

  reports.sort((a, b) => a.line - b.line);
  return { lines: reports, summary: summarize(reports, dryRun, clock.now() - startedAt) };
}

async function runLine(deps: BulkDeps, job: LineJob, dryRun: boolean): Promise<LineResult> {
  if (dryRun) {
    try {
      return await dryRunLine(deps, job);
    } catch (err) {
      return rejection(err);
    }
  }
  // The operation row is committed before its flow is enqueued. If Redis refuses the flow now, the line is still
  // accepted (a rerun would find it "already done"): the reconciler enqueues queued operations whose flow is missing.
  let notQueued: string | undefined;
  const enqueue = async (operationId: string) => {
    try {
      await deps.enqueue(operationId);
    } catch (err) {
      notQueued = err instanceof Error ? err.message : String(err);
    }
  };
  try {
    const result = await executeLine({ ...deps, enqueue }, job);
    if (notQueued) {
      const note = `not on the queue yet (${notQueued}): the reconciler will enqueue it`;
      result.detail = result.detail ? `${result.detail}; ${note}` : note;
    }
    return result;
  } catch (err) {
    return rejection(err);
  }
}
