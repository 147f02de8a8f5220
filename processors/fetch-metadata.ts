import { PreconditionFailedError } from '../src/errors';
import { deployStep } from './services';

export interface DeployMetadata {
  namespace: string;
  workspaceSlug: string;
  projectId: string;
  projectSlug: string;
  environmentId: string;
  environmentSlug: string;
  isProduction: boolean;
}

/** Loads deployment, workspace, project and environment; a deploy whose records are gone fails at once. */
export const fetchMetadata = deployStep({
  name: 'fetch-metadata',
  cancellable: true,
  async run({ services, data }): Promise<DeployMetadata> {
    const deployment = await services.prisma.deployment.findUnique({
      where: { id: data.deploymentId },
      include: { project: { include: { workspace: true } }, environment: true },
    });
    if (!deployment) throw new PreconditionFailedError('deployment_not_found', { deploymentId: data.deploymentId! });
    const { project, environment } = deployment;
    return {
      namespace: project.workspace.slug,
      workspaceSlug: project.workspace.slug,
      projectId: project.id,
      projectSlug: project.slug,
      environmentId: environment.id,
      environmentSlug: environment.slug,
      isProduction: environment.isProduction,
    };
  },
  summarize: (m) => `${m.workspaceSlug}/${m.projectSlug} → ${m.environmentSlug}`,
});
