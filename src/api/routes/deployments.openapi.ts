import { createRoute, z } from '@hono/zod-openapi';
import { workspaceCaller } from '../../auth/permissions';
import { scrapeOpenapi } from '../../../processors/scrape-openapi';
import { ApiError } from '../../errors';
import { AUTHENTICATED_ERRORS, errorResponses, jsonContent } from '../schemas/common';
import type { RegisterRoute } from '../types';
import { DeploymentIdParams } from './route-params';
import { loadDeploymentForCaller } from './caller-resources';
import { callableBy } from './callable-by';

const route = createRoute({
  method: 'get',
  path: '/v1/deployments/{id}/openapi',
  operationId: 'getDeploymentOpenapi',
  tags: ['deployments'],
  summary: "The OpenAPI document scraped from the deployment's instances",
  description: 'Scraped once the instances are healthy (JSON or YAML, served here as JSON). 404 `openapi_not_found` when the app served none.',
  ...callableBy('admin', 'deployer', 'viewer'),
  request: { params: DeploymentIdParams },
  responses: {
    200: {
      description: "The app's OpenAPI document, as the app served it",
      ...jsonContent(z.record(z.string(), z.unknown()).openapi('ScrapedOpenApiDocument')),
    },
    ...errorResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export const registerGetDeploymentOpenapi: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const auth = workspaceCaller(c);
    const deployment = await loadDeploymentForCaller(ctx, auth, c.req.valid('param').id);
    const row = await ctx.prisma.deployment.findUniqueOrThrow({ where: { id: deployment.id }, select: { openapiSpec: true } });
    if (row.openapiSpec === null) {
      const scrape = await ctx.prisma.deploymentStep.findUnique({ where: { ownerId_name: { ownerId: deployment.id, name: scrapeOpenapi.name } } });
      const scraped = scrape?.status === 'succeeded' ? { scraped: true as const, output: scrape.output } : { scraped: false as const };
      throw new ApiError('openapi_not_found', { deploymentId: deployment.id, openapiPath: deployment.openapiPath, ...scraped });
    }
    // Stored as the JSON text of a document that parsed as an object when it was scraped.
    return c.json(JSON.parse(row.openapiSpec) as Record<string, unknown>, 200);
  });
};
