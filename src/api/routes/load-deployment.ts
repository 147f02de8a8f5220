import type { WorkspaceAuthContext } from '../../auth/auth-context';
import type { AppContext } from '../../context';
import { ApiError } from '../../errors';
import { DEPLOYMENT_ROW_QUERY, DeploymentRow } from '../schemas/deployment';

/** The deployment, if it belongs to a project of the caller's workspace; anything else is the same 404. */
export async function loadDeploymentForCaller(ctx: AppContext, auth: WorkspaceAuthContext, deploymentId: string): Promise<DeploymentRow> {
  const deployment = await ctx.prisma.deployment.findFirst({
    where: { id: deploymentId, project: { workspaceId: auth.workspaceId } },
    ...DEPLOYMENT_ROW_QUERY,
  });
  if (!deployment) throw new ApiError('not_found', { what: 'deployment', id: deploymentId, quoted: true });
  return deployment;
}
