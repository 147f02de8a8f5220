/** A caller's deployments and operations: found only inside the caller's workspace, anything else the same 404. */
import type { WorkspaceAuthContext } from '../../auth/auth-context';
import type { AppContext } from '../../context';
import type { Operation } from '../../generated/prisma/client';
import { ApiError } from '../../errors';
import { DEPLOYMENT_ROW_QUERY, DeploymentRow } from '../schemas/deployment';
import { OperationView, operationView } from '../schemas/operation';
import { STEP_ORDER } from '../schemas/step';

/** The deployment, if it belongs to a project of the caller's workspace; anything else is the same 404. */
export async function loadDeploymentForCaller(ctx: AppContext, auth: WorkspaceAuthContext, deploymentId: string): Promise<DeploymentRow> {
  const deployment = await ctx.prisma.deployment.findFirst({
    where: { id: deploymentId, project: { workspaceId: auth.workspaceId } },
    ...DEPLOYMENT_ROW_QUERY,
  });
  if (!deployment) throw new ApiError('not_found', { what: 'deployment', id: deploymentId, quoted: true });
  return deployment;
}

/** The operation, if its project belongs to the caller's workspace; anything else is the same 404. */
export async function loadOperationForCaller(ctx: AppContext, auth: WorkspaceAuthContext, operationId: string): Promise<Operation> {
  const op = await ctx.prisma.operation.findFirst({ where: { id: operationId, project: { workspaceId: auth.workspaceId } } });
  if (!op) throw new ApiError('not_found', { what: 'operation', id: operationId, quoted: true });
  return op;
}

/** The operation with its timeline: a deploy's steps belong to its deployment, other operations own theirs. */
export async function describeOperation(ctx: AppContext, op: Operation): Promise<OperationView> {
  const ownerId = op.kind === 'deploy' && op.deploymentId ? op.deploymentId : op.id;
  const steps = await ctx.prisma.deploymentStep.findMany({ where: { ownerId }, orderBy: STEP_ORDER });
  return operationView(op, steps);
}
