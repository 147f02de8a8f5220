import type { AppContext } from '../../../src/context';
import { createEngine, Engine } from '../../../src/engine/engine';
import type { KraneClient } from '../../../src/krane/client';

const NO_KRANE = 'the API test harness runs no Krane and no workers';

/** A Krane that is never reached: without workers no step runs. */
const absentKrane: KraneClient = {
  create: () => Promise.reject(new Error(NO_KRANE)),
  get: () => Promise.reject(new Error(NO_KRANE)),
  delete: () => Promise.reject(new Error(NO_KRANE)),
  close: () => undefined,
};

/**
 * An engine that only enqueues: its queues are real (on ctx.redis, under ctx.config.QUEUE_PREFIX) but no worker
 * takes the jobs. For API tests that check requests and answers, not the flows (those use the engine harness).
 */
export function createIdleEngine(ctx: AppContext): Engine {
  return createEngine(ctx, absentKrane, {}, ctx.config.REDIS_URL ?? 'redis://unused');
}
