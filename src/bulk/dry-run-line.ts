import { ConflictError, NotFoundError } from '../errors';
import { cancelVerdict } from '../operations/cancel-deployment';
import { resolveProject } from '../operations/resolve-project';
import { checkSwitchPreconditions } from '../operations/switch-preconditions';
import type { BulkDeps, LineJob, LineResult } from './line-job';
import { storedOperationKey } from './line-key';
import { findRescrapeTarget } from './rescrape-openapi';


/**
 * What running the line would do, with reads only: the checks the services make before they write (the same
 * functions where they are separate: resolveProject, checkSwitchPreconditions), against the current state. Lines
 * are judged one by one: the effect of an earlier line of the same file is not simulated.
 */
export async function dryRunLine(deps: BulkDeps, job: LineJob): Promise<LineResult> {
  const { prisma } = deps;
  const { line, caller } = job;
  const earlier = async (kind: 'deploy' | 'rollback' | 'promote' | 'undo') =>
    prisma.operation.findUnique({ where: { idempotencyKey: storedOperationKey(caller.workspaceId, kind, job.idempotencyKey) } });

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
