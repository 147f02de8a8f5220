import { createDeployflowProducer } from '../../../src/app/deployflow-engine';
import type { AppContext } from '../../../src/context';
import type { ProducerEngine } from '../../../src/engine/engine';

/**
 * The engine's producer side only: its queues are real (on ctx.redis, under ctx.config.QUEUE_PREFIX) but no worker
 * takes the jobs, and there is no Krane. For API tests that check requests and answers, not the flows (those use the
 * engine harness).
 */
export function createIdleEngine(ctx: AppContext): ProducerEngine {
  return createDeployflowProducer(ctx);
}
