import { createRoute, z } from '@hono/zod-openapi';
import { imageProblemFor } from '../../krane/image-support';
import { createDeploy } from '../../operations/create-deploy';
import { DeployRequest } from '../../operations/deploy-request';
import { validationError } from '../errors';
import { errorResponses, JSON_POST_ERRORS, jsonContent, jsonPostRequest } from '../schemas/common';
import { DeploymentStatusSchema } from '../schemas/deployment';
import { operationLink } from '../schemas/operation';
import { operationCaller, operationDeps } from './starting-operations';
import { callableBy } from './callable-by';
import { workspaceRoute } from './workspace-route';

const DeployAcceptedSchema = z
  .object({
    deploymentId: z.string().openapi({ example: 'dep_01h2xcejqtf2nbrexx3vqjhp41' }),
    operationId: z.string().openapi({ example: 'op_01h2xcejqtf2nbrexx3vqjhp41' }),
    status: DeploymentStatusSchema.openapi({ description: '`pending` for a new deploy; the current status when an Idempotency-Key matched an earlier one.' }),
    links: z.object({
      deployment: z.string().openapi({ example: '/v1/deployments/dep_01h2xcejqtf2nbrexx3vqjhp41' }),
      operation: z.string().openapi({ example: '/v1/operations/op_01h2xcejqtf2nbrexx3vqjhp41' }),
    }),
  })
  .openapi('DeployAccepted');

/** A request that works as is against `npm start`'s defaults (the example app ships in examples/hello-api). */
const DEPLOY_EXAMPLE = {
  projectId: 'shop',
  environment: 'production',
  image: 'file:examples/hello-api',
  git: { branch: 'main', commitSha: '3f9c2ab', message: 'checkout: retry card payments', author: 'Ada Lovelace' },
  runtime: { replicas: 1, env: { VERSION: 'v1' } },
};

const route = createRoute({
  method: 'post',
  path: '/v1/deployments',
  operationId: 'createDeployment',
  tags: ['deployments'],
  summary: 'Deploy an image to an environment of a project',
  description:
    'Creates a `pending` deployment and starts its flow: create in Krane, wait until healthy, scrape the OpenAPI document, ' +
    'assign hostnames and switch traffic. Follow it with GET /v1/deployments/{id}, its /events stream, or GET /v1/operations/{id}?wait=30.',
  ...callableBy('admin', 'deployer'),
  request: jsonPostRequest(DeployRequest.openapi('DeployRequest', { example: DEPLOY_EXAMPLE })),
  responses: {
    202: { description: 'Accepted: the deploy runs in the background', ...jsonContent(DeployAcceptedSchema) },
    ...errorResponses(...JSON_POST_ERRORS, 404),
  },
});

export const registerCreateDeployment = workspaceRoute(route, async (c, auth, ctx) => {
  const imageProblem = imageProblemFor(ctx.config.KRANE_DRIVER, c.req.valid('json').image);
  if (imageProblem) throw validationError([{ location: 'body', field: 'image', message: imageProblem }]);
  const created = await createDeploy(
    operationDeps(ctx, c),
    operationCaller(c, auth),
    c.req.valid('json'),
    c.req.valid('header')['idempotency-key'],
  );
  let status: z.infer<typeof DeploymentStatusSchema> = 'pending';
  if (created.existing) {
    const row = await ctx.prisma.deployment.findUniqueOrThrow({ where: { id: created.deploymentId }, select: { status: true } });
    status = row.status;
  } else {
    c.get('logger').info('deploy requested', { deploymentId: created.deploymentId, operationId: created.operationId, by: auth.apiKeyId });
  }
  return c.json(
    {
      deploymentId: created.deploymentId,
      operationId: created.operationId,
      status,
      links: { deployment: `/v1/deployments/${created.deploymentId}`, operation: operationLink(created.operationId) },
    },
    202,
    // The operation is what to watch until the deploy is done; the deployment is in the body's links.
    { Location: operationLink(created.operationId) },
  );
});
