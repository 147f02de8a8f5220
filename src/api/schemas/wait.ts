import { queryInteger } from './query-integer';
import { z } from '@hono/zod-openapi';

/** The longest a request may hold its connection waiting for an operation to finish. */
export const MAX_WAIT_SECONDS = 30;

export const WaitQuery = z.object({
  wait: queryInteger({ min: 0, max: MAX_WAIT_SECONDS, default: 0, unit: 'seconds' }).openapi({
    description: `Seconds (0 to ${MAX_WAIT_SECONDS}) to wait for the operation to finish before answering.`,
    example: 10,
  }),
});
