import { z } from '@hono/zod-openapi';
import { scrapeOpenapi } from '../../../processors/scrape-openapi';
import { ApiError } from '../../errors';
import { okResponses } from '../schemas/common';
import { DeploymentIdParams } from './route-params';
import { loadDeploymentForCaller } from './caller-resources';
import { workspaceRoute } from './workspace-route';
import { readRoute } from './read-route';

const route = readRoute('deployments', '/v1/deployments/{id}/openapi', 'getDeploymentOpenapi', {
  summary: "The OpenAPI document scraped from the deployment's instances",
  description: 'Scraped once the instances are healthy (JSON or YAML, served here as JSON). 404 `openapi_not_found` when the app served none.',
  request: { params: DeploymentIdParams },
  responses: okResponses("The app's OpenAPI document, as the app served it", z.record(z.string(), z.unknown()).openapi('ScrapedOpenApiDocument'), 404),
});

export const registerGetDeploymentOpenapi = workspaceRoute(route, async (c, auth, ctx) => {
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
