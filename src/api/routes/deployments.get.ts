import { createRoute } from '@hono/zod-openapi';
import { okResponses } from '../schemas/common';
import { DeploymentSchema, deploymentView } from '../schemas/deployment';
import { STEP_ORDER } from '../schemas/step';
import { DeploymentIdParams } from './route-params';
import { loadDeploymentForCaller } from './caller-resources';
import { callableBy } from './callable-by';
import { workspaceRoute } from './workspace-route';

const route = createRoute({
  method: 'get',
  path: '/v1/deployments/{id}',
  operationId: 'getDeployment',
  tags: ['deployments'],
  summary: 'Get a deployment with its step timeline, instances and hostnames',
  description: 'Environment variable values are never returned (they may be secrets): `runtime.envNames` lists the names.',
  ...callableBy('admin', 'deployer', 'viewer'),
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
