import { okResponses } from '../schemas/common';
import { DeploymentSchema, deploymentView } from '../schemas/deployment';
import { STEP_ORDER } from '../schemas/step';
import { DeploymentIdParams } from './route-params';
import { loadDeploymentForCaller } from './caller-resources';
import { workspaceRoute } from './workspace-route';
import { readRoute } from './read-route';

const route = readRoute('deployments', '/v1/deployments/{id}', 'getDeployment', {
  summary: 'Get a deployment with its step timeline, instances and hostnames',
  description: 'Environment variable values are never returned (they may be secrets): `runtime.envNames` lists the names.',
  request: { params: DeploymentIdParams },
  responses: okResponses('The deployment', DeploymentSchema, 404),
});

export const registerGetDeployment = workspaceRoute(route, async (c, auth, ctx) => {
  const deployment = await loadDeploymentForCaller(ctx, auth, c.req.valid('param').id);
  const [steps, instances, routes] = await Promise.all([
    ctx.prisma.deploymentStep.findMany({ where: { ownerId: deployment.id }, orderBy: STEP_ORDER }),
    ctx.prisma.instance.findMany({ where: { deploymentId: deployment.id }, orderBy: { createdAt: 'asc' } }),
    ctx.prisma.ingressRoute.findMany({ where: { deploymentId: deployment.id }, orderBy: { hostname: 'asc' } }),
  ]);
  return c.json(deploymentView(deployment, { steps, instances, routes, gatewayPort: ctx.config.GATEWAY_PORT }), 200);
});
