import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import { Hono } from 'hono';

/** Where the dashboard is served. */
export const DASHBOARD_PATH = '/admin/queues';

/**
 * A bull-board over the engine's queues, served under DASHBOARD_PATH. Every queue is registered, so flows render as
 * trees across operations, steps and routing. `readOnly`: the board shows everything but refuses every action
 * (retry, clean, pause, add, empty …) with 405.
 */
export function createQueueBoard(queues: Queue[], options: { readOnly: boolean }): Hono {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: options.readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: options.readOnly ? 'deployflow (read-only)' : 'deployflow' } },
  });
  return new Hono().route(DASHBOARD_PATH, serverAdapter.registerPlugin());
}
