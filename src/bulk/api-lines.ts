import { randomBytes } from 'node:crypto';
import type { LineIssue, ValidatedLine } from './bulk-file';
import { ApiAnswer, ApiClient, ApiUnreachable } from './api-client';
import { LineRefused, LineResult } from './report';
import type { LineJob, LineRunner } from './run-bulk';

/**
 * The API mode (the default): every line becomes the HTTP request a user would make, with the API key given to the
 * script, so the API's permissions, validation, idempotency and rate limits apply as they do to anyone. The key
 * decides the workspace; operations are recorded as asked for by that key.
 */

/** The request a line stands for. Path values are the line's own, so a line's request is the same on every run. */
interface LineRequest {
  path: string;
  body?: Record<string, unknown>;
  /** In words, for the report. */
  detail: string;
}

const seg = encodeURIComponent;

function requestOf(job: LineJob): LineRequest {
  const { line, raw } = job;
  // The body is the line as written, less what is not part of the request: the API applies its own defaults.
  const { op: _op, workspace: _workspace, projectId: _p, targetDeploymentId: _t, deploymentId: _d, ...rest } = raw;
  switch (line.op) {
    case 'deploy': {
      const { op: _o, workspace: _w, ...body } = raw;
      return { path: '/v1/deployments', body, detail: `deploy ${line.image} to ${line.projectId}/${line.environment}` };
    }
    case 'rollback':
      return { path: `/v1/projects/${seg(line.projectId)}/rollback/${seg(line.targetDeploymentId)}`, body: rest, detail: `rollback ${line.projectId} to ${line.targetDeploymentId}` };
    case 'promote':
      return { path: `/v1/projects/${seg(line.projectId)}/promote/${seg(line.targetDeploymentId)}`, body: rest, detail: `promote ${line.projectId} to ${line.targetDeploymentId}` };
    case 'undo':
      return { path: `/v1/projects/${seg(line.projectId)}/routes/undo`, body: rest, detail: `undo the last route change of ${line.projectId}` };
    case 'cancel':
      return { path: `/v1/deployments/${seg(line.deploymentId)}/cancel`, detail: `cancel deployment ${line.deploymentId}` };
    case 'rescrape-openapi':
      throw new LineRefused(
        'not_available_over_api',
        `line ${job.lineNumber}: rescrape-openapi is a backfill with no route in the HTTP API: run it with --direct (DATABASE_URL and REDIS_URL of the system)`,
      );
  }
}

/** The API's error answer as a rejected line: its status, code, message and the fields it named. */
function refusal(answer: ApiAnswer): LineRefused {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown; details?: { issues?: unknown } } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${answer.status}`;
  const message = typeof error?.message === 'string' ? error.message : `the API answered ${answer.status}`;
  const issues = Array.isArray(error?.details?.issues)
    ? (error.details.issues as Array<{ field?: unknown; message?: unknown }>).map((i): LineIssue => ({ field: String(i.field ?? ''), message: String(i.message ?? '') }))
    : undefined;
  return new LineRefused(code, message, { status: answer.status, ...(issues ? { issues } : {}) });
}

/** A request id the API logs (and keeps on the operation it creates): `enqueue:<run>:<file>:<line>`. */
function requestIdOf(runId: string, job: LineJob): string {
  const file = job.fileName.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  return `enqueue:${runId}:${file}:${job.lineNumber}`;
}

/**
 * Over the API one key acts in one workspace. Lines may still name their workspace (a file written for --direct):
 * when they name more than one, the file cannot be run with one key. Returns the problem, if any.
 */
export function workspaceProblem(lines: ValidatedLine[]): string | undefined {
  const named = [...new Set(lines.flatMap((l) => (l.ok && l.line.workspace ? [l.line.workspace] : [])))];
  if (named.length <= 1) return undefined;
  return `the lines name ${named.length} workspaces (${named.join(', ')}), but an API key acts in one workspace: run each workspace's lines with a key of that workspace, or use --direct`;
}

/**
 * Checks once, before any line runs, that the API answers and takes the key for workspace requests: a wrong URL,
 * a revoked key or the root key stop the run with the API's own words instead of rejecting every line.
 */
export async function checkApiAccess(client: ApiClient): Promise<void> {
  const answer = await client.send('GET', '/v1/projects?limit=1');
  if (answer.status === 200) return;
  const err = refusal(answer);
  throw new LineRefused(err.code, `the API refused the key (${answer.status} ${err.code}): ${err.message}`, { status: answer.status });
}

export function apiLineRunner(client: ApiClient, options: { runId?: string } = {}): LineRunner {
  const runId = options.runId ?? randomBytes(3).toString('hex');
  const cache = new Map<string, Promise<{ id: string; projectId: string; environments?: string[] }>>();

  /** GET of what a line names, memoised per run (a failed lookup is not remembered). */
  const lookup = (path: string, signal?: AbortSignal) => {
    let found = cache.get(path);
    if (!found) {
      found = client.send('GET', path, { signal }).then((answer) => {
        if (answer.status !== 200) throw refusal(answer);
        const body = answer.body as { id: string; projectId?: string; environments?: Array<{ slug: string }> };
        return { id: body.id, projectId: body.projectId ?? body.id, environments: body.environments?.map((e) => e.slug) };
      });
      cache.set(path, found);
      found.catch(() => cache.delete(path));
    }
    return found;
  };
  const subjectOf = (job: LineJob, signal?: AbortSignal) => {
    const { line } = job;
    if (line.op === 'cancel' || line.op === 'rescrape-openapi') return lookup(`/v1/deployments/${seg(line.deploymentId)}`, signal);
    return lookup(`/v1/projects/${seg(line.projectId)}`, signal);
  };

  return {
    stats: () => ({ rateLimited: client.rateLimited, retried: client.retried }),

    async laneOf(job) {
      requestOf(job); // a line with no API request is refused before it queues behind anything
      return (await subjectOf(job)).projectId;
    },

    async run(job, { dryRun, signal }) {
      const request = requestOf(job);
      if (dryRun) {
        // Only reads: what the line names exists for this key (the API's own lookups); the rest is checked when it runs.
        const subject = await subjectOf(job, signal);
        if (job.line.op === 'deploy' && subject.environments && !subject.environments.includes(job.line.environment)) {
          throw new LineRefused('not_found', `environment ${job.line.environment} not found`, { status: 404 });
        }
        return { outcome: job.line.op === 'cancel' ? 'would do' : 'would enqueue', detail: `POST ${request.path}: ${request.detail}` };
      }
      const answer = await client.send('POST', request.path, {
        body: request.body,
        headers: { 'idempotency-key': job.idempotencyKey, 'x-request-id': requestIdOf(runId, job) },
        signal,
      });
      if (answer.status >= 300) throw refusal(answer);
      return resultOf(job, answer, request.detail);
    },
  };
}

/**
 * A 2xx answer as the line's outcome. "already done" when the API replayed an earlier answer for the line's key, or
 * (past the 24 h the API keeps answers) when a deploy's answer shows a deployment that is no longer new.
 */
function resultOf(job: LineJob, answer: ApiAnswer, detail: string): LineResult {
  const body = answer.body as { operationId?: string | null; deploymentId?: string; status?: string; alreadyRequested?: boolean };
  const ids = { operationId: body.operationId ?? undefined, deploymentId: body.deploymentId };
  switch (job.line.op) {
    case 'deploy':
      return { outcome: answer.replayed || body.status !== 'pending' ? 'already done' : 'enqueued', ...ids, detail };
    case 'cancel': {
      const before = answer.replayed || body.alreadyRequested === true;
      return { outcome: before ? 'already done' : 'done', ...ids, detail: before ? 'cancel was requested before' : 'cancel requested: the deploy stops at its next check and is compensated' };
    }
    default:
      return { outcome: answer.replayed ? 'already done' : 'enqueued', operationId: ids.operationId, deploymentId: 'targetDeploymentId' in job.line ? job.line.targetDeploymentId : undefined, detail };
  }
}

export { ApiUnreachable };
