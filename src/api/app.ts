import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { rejectWritesFromViewers } from '../auth/permissions';
import { acceptEventStreamToken, EVENT_STREAM_PATH } from '../auth/event-stream-auth';
import { requireAuth } from '../auth/require-auth';
import type { ControlPlaneContext } from '../context';
import { corsFor } from './cors';
import { mountDashboard } from './dashboard/mount-dashboard';
import { buildOpenApiDocument } from './docs/openapi-document';
import { mountSwaggerUi } from './docs/swagger-ui';
import { createErrorHandler, handleNotFound, validationHook } from './errors';
import { idempotency } from './idempotency';
import { rejectMalformedJson } from './json-body';
import { createDeployflowMetrics } from '../metrics/deployflow-metrics';
import { httpMetrics } from './metrics';
import { readRequestBody } from './request-body';
import { methodNotAllowed } from './method-not-allowed';
import { rateLimit } from './rate-limit';
import { requestId } from './request-id';
import { requestLogger } from './request-logger';
import { ROUTES } from './routes';
import type { ApiApp, ApiEnv } from './types';

/** Largest request body accepted on any route. */
export const MAX_BODY_BYTES = 1024 * 1024;

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'getMetrics',
  tags: ['system'],
  summary: "Prometheus metrics of this process: requests, steps, operations, queue depths, routing turns, the process's own",
  responses: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: z.string() } } } },
});

/** The HTTP API: middleware, every route of routes/index.ts, the generated OpenAPI document and its UI, probes and the queue dashboard. */
export function createApiApp(ctx: ControlPlaneContext): ApiApp {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  // The process's metrics (the engine in this process reports to them too); an API on its own keeps its own.
  const metrics = ctx.metrics ?? createDeployflowMetrics();
  metrics.queues.watch(ctx.operations.queues());

  app.onError(createErrorHandler(ctx.logger));
  app.notFound(handleNotFound);

  app.use('*', requestId());
  app.use('*', requestLogger(ctx.logger));
  app.use('*', httpMetrics(metrics.http));
  // Browsers' preflights are answered before anything asks for a key; off unless origins are configured.
  const corsMiddleware = corsFor(ctx.config.CORS_ALLOWED_ORIGINS);
  if (corsMiddleware) {
    app.use('/v1/*', corsMiddleware);
    app.use('/openapi.json', corsMiddleware);
  }
  app.use('*', methodNotAllowed(app));
  app.use('*', readRequestBody(MAX_BODY_BYTES));
  // Order matters: who is calling, how much they may still ask, what they may do, then a parsed body, then the
  // idempotency claim (which needs all of them).
  app.use(EVENT_STREAM_PATH, acceptEventStreamToken(ctx));
  app.use('/v1/*', requireAuth(ctx));
  app.use('/v1/*', rateLimit(ctx, { requests: ctx.config.RATE_LIMIT_REQUESTS, windowSeconds: ctx.config.RATE_LIMIT_WINDOW_SECONDS }));
  app.use('/v1/*', rejectWritesFromViewers());
  app.use('/v1/*', rejectMalformedJson());
  app.use('/v1/*', idempotency(ctx));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `df_` followed by 32 letters and digits.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'eventStreamToken', {
    type: 'apiKey',
    in: 'query',
    name: 'token',
    description: 'An event stream token from POST /v1/deployments/{id}/events/token: that deployment\'s event stream only, for a few minutes.',
  });

  for (const register of ROUTES) register(app, ctx);
  mountDashboard(app, ctx);

  let document: object | undefined;
  const serverUrl = ctx.config.PUBLIC_API_URL ?? `http://127.0.0.1:${ctx.config.API_PORT || 3000}`;
  app.get('/openapi.json', (c) => {
    // Routes are fixed once the app is built, so the document is generated once.
    document ??= buildOpenApiDocument(app, { serverUrl });
    return c.json(document);
  });
  mountSwaggerUi(app, '/openapi.json');
  app.openapi(metricsRoute, async (c) => c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));

  return app;
}
