import { createRoute, z } from '@hono/zod-openapi';
import { jsonContent } from '../schemas/common';
import type { RegisterRoute } from '../types';

const route = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealth',
  tags: ['system'],
  summary: 'Liveness: the process is up (checks nothing else)',
  responses: {
    200: { description: 'Up', ...jsonContent(z.object({ status: z.literal('ok') })) },
  },
});

export const registerHealthz: RegisterRoute = (app) => {
  app.openapi(route, (c) => c.json({ status: 'ok' as const }, 200));
};
