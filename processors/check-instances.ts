import { syncInstances } from '../src/deployments/sync-instances';
import { NotFoundError, TerminalError } from '../src/errors';
import { switchStep } from './services';

/**
 * Rollback/promote step 2: asks Krane now (not the Instance rows, which may be stale) that the target has running
 * instances. Runs at the same time as `validate`, so it reads its namespace (the project's workspace) itself rather
 * than from validate's output.
 */
export const checkInstances = switchStep({
  name: 'check-instances',
  queue: 'switches',
  async run({ services, data }): Promise<{ running: number }> {
    // One statement (through Prisma, the project and its workspace would be two).
    const [project] = await services.prisma.$queryRaw<{ namespace: string }[]>`
      SELECT w."slug" AS "namespace" FROM "Project" p JOIN "Workspace" w ON w."id" = p."workspaceId" WHERE p."id" = ${data.projectId}`;
    if (!project) throw new NotFoundError('project', data.projectId);
    const instances = await services.krane.get(project.namespace, data.deploymentId);
    await syncInstances(services.prisma, data.deploymentId, instances);
    const running = instances.filter((i) => i.status === 'running').length;
    if (running === 0) {
      throw new TerminalError('no_running_instances', { deploymentId: data.deploymentId!, purpose: 'switch', known: instances.length });
    }
    return { running };
  },
  summarize: (o) => `${o.running} instance(s) running in Krane`,
});
