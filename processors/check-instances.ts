import { syncInstances } from '../src/deployments/sync-instances';
import { NotFoundError, TerminalError } from '../src/errors';
import { switchStep, type Services } from './services';

/**
 * The project's Krane namespace (its workspace's slug), for a flow whose data does not carry it (enqueued from the
 * operation row alone): one statement (through Prisma, the project and its workspace would be two).
 */
async function readNamespace(services: Services, projectId: string): Promise<string> {
  const [project] = await services.prisma.$queryRaw<{ namespace: string }[]>`
    SELECT w."slug" AS "namespace" FROM "Project" p JOIN "Workspace" w ON w."id" = p."workspaceId" WHERE p."id" = ${projectId}`;
  if (!project) throw new NotFoundError('project', projectId);
  return project.namespace;
}

/**
 * Rollback/promote step 2: asks Krane now (not the Instance rows, which may be stale) that the target has running
 * instances. Runs at the same time as `validate`, so it cannot take its namespace (the project's workspace) from
 * validate's output: the request hands it in the job data (read with the project), and only a flow enqueued without it
 * reads it here.
 */
export const checkInstances = switchStep({
  name: 'check-instances',
  queue: 'switches',
  async run({ services, data }): Promise<{ running: number }> {
    const namespace = data.namespace ?? (await readNamespace(services, data.projectId));
    const instances = await services.krane.get(namespace, data.deploymentId);
    await syncInstances(services, data.deploymentId, instances);
    const running = instances.filter((i) => i.status === 'running').length;
    if (running === 0) {
      throw new TerminalError('no_running_instances', { deploymentId: data.deploymentId!, purpose: 'switch', known: instances.length });
    }
    return { running };
  },
  summarize: (o) => `${o.running} instance(s) running in Krane`,
});
