import { z } from '@hono/zod-openapi';

/** The longest a request may hold its connection waiting for an operation to finish. */
export const MAX_WAIT_SECONDS = 30;

export const WaitQuery = z.object({
  wait: z.coerce
    .number({ error: `must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}` })
    .int(`must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`)
    .min(0, `must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`)
    .max(MAX_WAIT_SECONDS, `must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`)
    .default(0)
    .openapi({ description: `Seconds (0 to ${MAX_WAIT_SECONDS}) to wait for the operation to finish before answering.`, example: 10 }),
});
