import { createRoute, z } from '@hono/zod-openapi';
import { eventStreamTokensFor } from '../../auth/event-stream-token';
import { errorResponses, IdempotencyKeyHeader, JSON_POST_ERRORS, jsonContent, Timestamp } from '../schemas/common';
import { DeploymentIdParams } from './route-params';
import { loadDeploymentForCaller } from './caller-resources';
import { workspaceRoute } from './workspace-route';
import { callableBy } from './callable-by';

const EventStreamTokenSchema = z
  .object({
    token: z.string().openapi({ description: 'Pass as `?token=` to GET /v1/deployments/{id}/events of this deployment; nothing else accepts it.' }),
    expiresAt: Timestamp.openapi({ description: 'A stream must connect before this instant (a stream already open is not cut).' }),
    url: z.string().openapi({
      description: 'The event stream URL with the token: `new EventSource(url)`.',
      example: 'http://127.0.0.1:3000/v1/deployments/dep_01h2xcejqtf2nbrexx3vqjhp41/events?token=eyJhbGciOiJIUzI1NiJ9…',
    }),
  })
  .openapi('EventStreamToken');

const route = createRoute({
  method: 'post',
  path: '/v1/deployments/{id}/events/token',
  operationId: 'createDeploymentEventsToken',
  tags: ['deployments'],
  summary: "A short-lived token for the deployment's event stream, for clients that cannot send headers",
  description:
    'A browser `EventSource` cannot send `Authorization`. This mints a token (HMAC-signed, valid for ' +
    'EVENTS_TOKEN_TTL_SECONDS, 5 minutes by default) that opens GET /v1/deployments/{id}/events of this deployment ' +
    'only, read-only, as the calling key: it stops working when that key is revoked. Any role may mint one; it writes nothing.',
  ...callableBy('admin', 'deployer', 'viewer'),
  request: { params: DeploymentIdParams, headers: IdempotencyKeyHeader },
  responses: {
    200: { description: 'The token', ...jsonContent(EventStreamTokenSchema) },
    ...errorResponses(...JSON_POST_ERRORS, 404),
  },
});

export const registerCreateDeploymentEventsToken = workspaceRoute(route, async (c, auth, ctx) => {
  const deploymentId = (await loadDeploymentForCaller(ctx, auth, c.req.valid('param').id)).id;
  const minted = await eventStreamTokensFor(ctx).mint({ deploymentId, workspaceId: auth.workspaceId, apiKeyId: auth.apiKeyId });
  const base = ctx.config.PUBLIC_API_URL?.replace(/\/+$/, '') ?? new URL(c.req.url).origin;
  const url = `${base}/v1/deployments/${encodeURIComponent(deploymentId)}/events?token=${encodeURIComponent(minted.token)}`;
  return c.json({ token: minted.token, expiresAt: minted.expiresAt.toISOString(), url }, 200);
});
