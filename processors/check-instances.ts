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
    const project = await services.prisma.project.findUnique({ where: { id: data.projectId }, select: { workspace: { select: { slug: true } } } });
    if (!project) throw new NotFoundError('project', data.projectId);
    const instances = await services.krane.get(project.workspace.slug, data.deploymentId);
    await syncInstances(services.prisma, data.deploymentId, instances);
    const running = instances.filter((i) => i.status === 'running').length;
    if (running === 0) {
      throw new TerminalError('no_running_instances', { deploymentId: data.deploymentId!, purpose: 'switch', known: instances.length });
    }
    return { running };
  },
  summarize: (o) => `${o.running} instance(s) running in Krane`,
});
