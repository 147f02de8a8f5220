import type { Db } from '../db/prisma';
import { ConflictError, NotFoundError } from '../errors';
import type { Workspace } from '../generated/prisma/client';
import type { Caller } from '../operations/caller';
import { cancelDeployment, cancelVerdict } from '../operations/cancel-deployment';
import { createDeploy } from '../operations/create-deploy';
import { operationIdempotencyKey } from '../operations/operation-key';
import { requestSwitch, requestUndo } from '../operations/request-switch';
import { resolveProject } from '../operations/resolve-project';
import { checkSwitchPreconditions } from '../operations/switch-preconditions';
import type { BulkLine } from './bulk-file';
import { LineRefused, LineResult } from './report';
import { DEFAULT_OPENAPI_FETCH_LIMITS, findRescrapeTarget, OpenapiFetchLimits, rescrapeOpenapi } from './rescrape-openapi';
import type { LineJob, LineRunner } from './run-bulk';

/**
 * The direct mode (`--direct`, the operator's option): lines run through the same service functions the API calls,
 * straight against PostgreSQL, and flows go onto the workers' Redis. No API key: the line's `workspace` names the
 * workspace and the operation is recorded as asked for by `script:<file>:<line>`.
 */

/** What running lines directly needs: the database, an enqueue of an operation's flow, and fetch limits for rescrapes. */
export interface DirectDeps {
  prisma: Db;
  enqueue(operationId: string): Promise<void>;
  openapiLimits?: OpenapiFetchLimits;
}

type Kind = 'deploy' | 'rollback' | 'promote' | 'undo';

/** Memoised reads of workspaces and of the project a line belongs to (its lane). A failed lookup is not remembered. */
function createResolver(prisma: Db) {
  const cache = new Map<string, Promise<unknown>>();
  const memo = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let found = cache.get(key) as Promise<T> | undefined;
    if (!found) {
      found = load();
      cache.set(key, found);
      // A later line may name a deployment created meanwhile.
      found.catch(() => cache.delete(key));
    }
    return found;
  };
  const workspace = (slug: string) =>
    memo(`workspace\n${slug}`, async (): Promise<Workspace> => {
      const found = await prisma.workspace.findUnique({ where: { slug } });
      if (!found) throw new NotFoundError('workspace', slug);
      return found;
    });
  const projectOf = (workspaceId: string, line: BulkLine): Promise<string> => {
    if (line.op === 'cancel' || line.op === 'rescrape-openapi') {
      return memo(`${workspaceId}\ndeployment\n${line.deploymentId}`, async () => {
        const d = await prisma.deployment.findFirst({ where: { id: line.deploymentId, project: { workspaceId } }, select: { projectId: true } });
        if (!d) throw new NotFoundError('deployment', line.deploymentId);
        return d.projectId;
      });
    }
    return memo(`${workspaceId}\nproject\n${line.projectId}`, async () => (await resolveProject(prisma, workspaceId, line.projectId)).id);
  };
  return { workspace, projectOf };
}

export function directLineRunner(deps: DirectDeps): LineRunner {
  const resolver = createResolver(deps.prisma);

  const callerOf = async (job: LineJob): Promise<Caller> => {
    if (!job.line.workspace) {
      throw new LineRefused('validation_failed', `line ${job.lineNumber}: workspace: required with --direct`, {
        issues: [{ field: 'workspace', message: 'required with --direct (over the API, the key decides the workspace)' }],
      });
    }
    const workspace = await resolver.workspace(job.line.workspace);
    return { workspaceId: workspace.id, requestedBy: `script:${job.fileName}:${job.lineNumber}` };
  };

  return {
    async laneOf(job) {
      return resolver.projectOf((await callerOf(job)).workspaceId, job.line);
    },
    async run(job, { dryRun }) {
      const caller = await callerOf(job);
      return dryRun ? dryRunLine(deps, job, caller) : executeLine(deps, job, caller);
    },
  };
}

/**
 * Runs one line through the same service functions the API calls, with the line's idempotency key. Refusals arrive as
 * the services' typed errors, which the runner reports as rejections.
 */
async function executeLine(deps: DirectDeps, job: LineJob, caller: Caller): Promise<LineResult> {
  const { line, idempotencyKey } = job;
  // The operation row is committed before its flow is enqueued. If Redis refuses the flow now, the line is still
  // accepted (a rerun would find it "already done"): the reconciler enqueues queued operations whose flow is missing.
  let notQueued: string | undefined;
  const services = {
    prisma: deps.prisma,
    enqueue: async (operationId: string) => {
      try {
        await deps.enqueue(operationId);
      } catch (err) {
        notQueued = err instanceof Error ? err.message : String(err);
      }
    },
  };
  const noted = (result: LineResult): LineResult => {
    if (!notQueued) return result;
    const note = `not on the queue yet (${notQueued}): the reconciler will enqueue it`;
    return { ...result, detail: result.detail ? `${result.detail}; ${note}` : note };
  };

  switch (line.op) {
    case 'deploy': {
      const { op: _op, workspace: _workspace, ...request } = line;
      const created = await createDeploy(services, caller, request, idempotencyKey);
      return noted({
        outcome: created.existing ? 'already done' : 'enqueued',
        operationId: created.operationId,
        deploymentId: created.deploymentId,
        detail: `deploy ${request.image} to ${request.projectId}/${request.environment}`,
      });
    }
    case 'rollback':
    case 'promote': {
      const request = {
        kind: line.op,
        projectId: line.projectId,
        targetDeploymentId: line.targetDeploymentId,
        expectedSourceDeploymentId: line.op === 'rollback' ? line.expectedSourceDeploymentId : undefined,
        reason: line.reason,
      };
      const { operationId, existing } = await requestSwitch(services, caller, request, idempotencyKey);
      return noted({
        outcome: existing ? 'already done' : 'enqueued',
        operationId,
        deploymentId: line.targetDeploymentId,
        detail: `${line.op} ${line.projectId} to ${line.targetDeploymentId}`,
      });
    }
    case 'undo': {
      const { operationId, existing } = await requestUndo(services, caller, line.projectId, line.reason, idempotencyKey);
      return noted({ outcome: existing ? 'already done' : 'enqueued', operationId, detail: `undo the last route change of ${line.projectId}` });
    }
    case 'cancel': {
      const outcome = await cancelDeployment(deps.prisma, caller, line.deploymentId);
      return {
        outcome: outcome.alreadyRequested ? 'already done' : 'done',
        operationId: outcome.operationId ?? undefined,
        deploymentId: outcome.deploymentId,
        detail: outcome.alreadyRequested ? 'cancel was requested before' : 'cancel requested: the deploy stops at its next check and is compensated',
      };
    }
    case 'rescrape-openapi': {
      const target = await findRescrapeTarget(deps.prisma, caller.workspaceId, line.deploymentId);
      const result = await rescrapeOpenapi(deps.prisma, target, deps.openapiLimits ?? DEFAULT_OPENAPI_FETCH_LIMITS);
      return { outcome: 'done', deploymentId: target.deploymentId, detail: result.detail };
    }
  }
}

/**
 * What running the line would do, with reads only: the checks the services make before they write (the same
 * functions where they are separate: resolveProject, checkSwitchPreconditions, cancelVerdict), against the current
 * state. Lines are judged one by one: the effect of an earlier line of the same file is not simulated.
 */
async function dryRunLine(deps: DirectDeps, job: LineJob, caller: Caller): Promise<LineResult> {
  const { prisma } = deps;
  const { line } = job;
  const earlier = async (kind: Kind) => prisma.operation.findUnique({ where: { idempotencyKey: operationIdempotencyKey(caller.workspaceId, kind, job.idempotencyKey) } });

  switch (line.op) {
    case 'deploy': {
      const done = await earlier('deploy');
      if (done) return { outcome: 'already done', operationId: done.id, deploymentId: done.deploymentId ?? undefined };
      const project = await resolveProject(prisma, caller.workspaceId, line.projectId);
      const environment = await prisma.environment.findUnique({ where: { projectId_slug: { projectId: project.id, slug: line.environment } } });
      if (!environment) throw new NotFoundError('environment', line.environment);
      return { outcome: 'would enqueue', detail: `deploy ${line.image} to ${project.slug}/${environment.slug}` };
    }
    case 'rollback':
    case 'promote': {
      const done = await earlier(line.op);
      if (done) return { outcome: 'already done', operationId: done.id, deploymentId: done.deploymentId ?? undefined };
      const project = await resolveProject(prisma, caller.workspaceId, line.projectId);
      const expectedSourceDeploymentId = line.op === 'rollback' ? line.expectedSourceDeploymentId : undefined;
      await checkSwitchPreconditions(prisma, { kind: line.op, projectId: project.id, targetDeploymentId: line.targetDeploymentId, expectedSourceDeploymentId }, true);
      return { outcome: 'would enqueue', deploymentId: line.targetDeploymentId, detail: `${line.op} ${project.slug} to ${line.targetDeploymentId}` };
    }
    case 'undo': {
      const done = await earlier('undo');
      if (done) return { outcome: 'already done', operationId: done.id };
      const project = await resolveProject(prisma, caller.workspaceId, line.projectId);
      const last = await prisma.routeChange.findFirst({ where: { projectId: project.id }, orderBy: { sequence: 'desc' } });
      if (!last) throw new ConflictError('nothing_to_undo');
      return { outcome: 'would enqueue', detail: `undo route change #${last.sequence} of ${project.slug}` };
    }
    case 'cancel': {
      const deployment = await prisma.deployment.findFirst({ where: { id: line.deploymentId, project: { workspaceId: caller.workspaceId } } });
      if (!deployment) throw new NotFoundError('deployment', line.deploymentId);
      const verdict = cancelVerdict(deployment);
      if (verdict.kind === 'refused') throw verdict.error;
      if (verdict.kind === 'requested') return { outcome: 'already done', deploymentId: deployment.id, detail: 'cancel was requested before' };
      return { outcome: 'would do', deploymentId: deployment.id, detail: `cancel the deploy (now ${deployment.status})` };
    }
    case 'rescrape-openapi': {
      const target = await findRescrapeTarget(prisma, caller.workspaceId, line.deploymentId);
      return { outcome: 'would do', deploymentId: target.deploymentId, detail: `fetch ${target.openapiPath} from ${target.addresses.length} running instance(s)` };
    }
  }
}
