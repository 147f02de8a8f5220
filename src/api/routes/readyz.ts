import { createRoute, z } from '@hono/zod-openapi';
import { ApiError } from '../../errors';
import { ErrorResponse, jsonContent } from '../schemas/common';
import { checkWithin as check } from '../../services/check-within';
import type { RegisterRoute } from '../types';

const Checks = z.object({ redis: z.enum(['ok', 'failed', 'timeout']), database: z.enum(['ok', 'failed', 'timeout']) });

const route = createRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'getReadiness',
  tags: ['system'],
  summary: 'Readiness: Redis and the database answer and start-up is done',
  responses: {
    200: { description: 'Ready', ...jsonContent(z.object({ status: z.literal('ready'), checks: Checks })) },
    503: { description: 'Not ready; `error.details.checks` names the failing dependency, `error.details.startup` what start-up is still doing', ...jsonContent(ErrorResponse) },
  },
});

export const registerReadyz: RegisterRoute = (app, ctx) => {
  app.openapi(route, async (c) => {
    const [redis, database] = await Promise.all([check(() => ctx.redis.ping()), check(() => ctx.db.ping())]);
    const checks = { redis: redis.result, database: database.result };
    const failed = (Object.keys(checks) as (keyof typeof checks)[]).filter((name) => checks[name] !== 'ok');
    if (failed.length > 0) {
      // The probe is public: the reason goes to the log, not to the caller. With a health tracker the log line is
      // written once per outage, not once per probe (a load balancer probes every few seconds).
      if (ctx.health) {
        if (checks.redis !== 'ok') ctx.health.reportDown('redis', new Error(redis.error ?? 'no answer in time'));
        if (checks.database !== 'ok') ctx.health.reportDown('database', new Error(database.error ?? 'no answer in time'));
      } else {
        c.get('logger').warn('not ready', { checks, redisError: redis.error, databaseError: database.error });
      }
      throw new ApiError('not_ready', { failed }, { details: { checks } });
    }
    const starting = ctx.startup?.pendingStep;
    if (starting) throw new ApiError('starting', { step: starting }, { details: { checks, startup: starting } });
    return c.json({ status: 'ready' as const, checks }, 200);
  });
};
