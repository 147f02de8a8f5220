import { createRoute, z } from '@hono/zod-openapi';
import { SSEStreamingApi, streamSSE } from 'hono/streaming';
import { isTerminalStatus, UNFINISHED_STATES } from '../../statuses';
import type { Watch } from '../../events/operation-watcher';
import type { Deployment, DeploymentStep } from '../../generated/prisma/client';
import { AUTHENTICATED_ERRORS, errorResponses } from '../schemas/common';
import { STEP_ORDER, stepView } from '../schemas/step';
import type { ControlPlaneContext } from '../../context';
import { DeploymentIdParams } from './route-params';
import { loadDeploymentForCaller } from './caller-resources';
import { workspaceRoute } from './workspace-route';
import { callableBy } from './callable-by';

/** A stream never outlives this, so a deploy stuck somewhere cannot hold connections forever. */
export const EVENTS_MAX_MS = 10 * 60 * 1000;
/**
 * Once the status is terminal the last steps (update-live after set-ready) may still be finishing; the stream waits
 * for them, but not longer than this.
 */
const SETTLE_MS = 5_000;

/** Which of the three things the stream shows may have changed since it last read them. */
interface Stale {
  steps: boolean;
  deployment: boolean;
  deployOperations: boolean;
}

const everything = (): Stale => ({ steps: true, deployment: true, deployOperations: true });

const route = createRoute({
  method: 'get',
  path: '/v1/deployments/{id}/events',
  operationId: 'streamDeploymentEvents',
  tags: ['deployments'],
  summary: "Server-sent events: the deployment's steps as they change, then its final status",
  description:
    'A `text/event-stream`. Each `step` event carries one step row (as in GET /v1/deployments/{id}) whenever it changes ' +
    '(the current rows are sent first). `status` events carry `{status, statusReason, failedStep, terminal}` on each ' +
    'status change; the one with `terminal: true` is the last event, after which the stream closes. A stream lasts at ' +
    'most 10 minutes (then a `timeout` event); reconnect to continue.',
  ...callableBy('admin', 'deployer', 'viewer'),
  request: { params: DeploymentIdParams },
  responses: {
    200: {
      description: 'The event stream',
      content: { 'text/event-stream': { schema: z.string().openapi({ example: 'event: step\ndata: {"name":"fetch-metadata","status":"succeeded",…}\n\n' }) } },
    },
    ...errorResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export const registerDeploymentEvents = workspaceRoute(route, async (c, auth, ctx) => {
  const deploymentId = (await loadDeploymentForCaller(ctx, auth, c.req.valid('param').id)).id;
  const requestId = c.get('requestId');
  return streamSSE(
    c,
    async (stream) => {
      // Subscribe before the first read: a change committed after it is announced to this watch.
      const watch = await ctx.watcher.watch(deploymentId);
      stream.onAbort(() => watch.wake());
      try {
        await follow(ctx, stream, watch, deploymentId);
      } finally {
        watch.close();
      }
    },
    async (err, stream) => {
      c.get('logger').error('deployment event stream failed', { deploymentId, error: err.stack ?? err.message });
      await stream.writeSSE({ event: 'error', data: JSON.stringify({ code: 'internal', message: 'the event stream failed; reconnect', requestId }) });
    },
  );
});

/**
 * Sends the deployment's step rows as they change and its status, until the status is terminal and its deploy has
 * settled. Reads only what an event says may have changed (all of it on a resync), so the database is read once per
 * change, not once per interval.
 */
async function follow(ctx: ControlPlaneContext, stream: SSEStreamingApi, watch: Watch, deploymentId: string): Promise<void> {
  const sent = new Map<string, string>();
  const deadline = Date.now() + EVENTS_MAX_MS;
  let lastStatus: string | undefined;
  let terminalSince: number | undefined;
  let eventId = 0;
  const write = (event: string, data: unknown) => stream.writeSSE({ event, data: JSON.stringify(data), id: String(++eventId) });
  let steps: DeploymentStep[] = [];
  let deployment: Pick<Deployment, 'status' | 'statusReason' | 'failedStep'> | null = null;
  let unfinishedOps = 0;
  let stale = everything();
  let lastLook = false;

  while (!stream.aborted && !stream.closed) {
    const reading = stale;
    stale = { steps: false, deployment: false, deployOperations: false };
    [steps, deployment, unfinishedOps] = await Promise.all([
      reading.steps ? ctx.prisma.deploymentStep.findMany({ where: { ownerId: deploymentId }, orderBy: STEP_ORDER }) : steps,
      reading.deployment
        ? ctx.prisma.deployment.findUnique({ where: { id: deploymentId }, select: { status: true, statusReason: true, failedStep: true } })
        : deployment,
      reading.deployOperations
        ? ctx.prisma.operation.count({ where: { deploymentId, kind: 'deploy', state: { in: [...UNFINISHED_STATES] } } })
        : unfinishedOps,
    ]);
    for (const step of steps) {
      const view = stepView(step);
      const text = JSON.stringify(view);
      if (sent.get(step.name) === text) continue;
      sent.set(step.name, text);
      await write('step', view);
    }
    if (!deployment) {
      await write('status', { status: null, statusReason: 'the deployment was deleted', failedStep: null, terminal: true });
      return;
    }
    const terminal = isTerminalStatus(deployment.status);
    if (terminal) {
      terminalSince ??= Date.now();
      const settled = unfinishedOps === 0 && !steps.some((s) => s.status === 'running' || s.status === 'pending');
      if (settled || Date.now() - terminalSince >= SETTLE_MS) {
        await write('status', { ...deployment, terminal: true });
        return;
      }
    } else if (deployment.status !== lastStatus) {
      lastStatus = deployment.status;
      await write('status', { ...deployment, terminal: false });
    }
    if (Date.now() >= deadline) {
      await write('timeout', { message: `stream closed after ${EVENTS_MAX_MS / 60_000} minutes; reconnect to continue` });
      return;
    }
    // The watcher closed (the process is stopping) and the last look is done: end; the client reconnects elsewhere.
    if (lastLook) return;
    const news = await watch.next(terminalSince === undefined ? deadline : Math.min(deadline, terminalSince + SETTLE_MS));
    if (news.resync || news.closed) stale = everything();
    lastLook = news.closed;
    for (const event of news.events) {
      if (event.type === 'step') stale.steps = true;
      else if (event.type === 'deployment') stale.deployment = true;
      else stale.deployOperations = true;
    }
  }
}
