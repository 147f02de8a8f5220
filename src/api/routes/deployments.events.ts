import { createRoute, z } from '@hono/zod-openapi';
import { SSEStreamingApi, streamSSE } from 'hono/streaming';
import { isTerminalStatus, UNFINISHED_STATES } from '../../statuses';
import type { Watch } from '../../events/operation-watcher';
import {
  appendTerminalStatus,
  EVENT_PAGE,
  eventData,
  isCurrentTerminal,
  LoggedEvent,
  readDeploymentHead,
  readEvent,
  readEventsAfter,
  StatusEventData,
} from '../../events/deployment-event-log';
import { validationError } from '../errors';
import { AUTHENTICATED_ERRORS, BEARER_SECURITY, errorResponses } from '../schemas/common';
import { optionalQueryInteger } from '../schemas/query-integer';
import { lineText } from '../../operations/text';
import type { ControlPlaneContext } from '../../context';
import { DeploymentIdParams } from './route-params';
import { loadDeploymentForCaller } from './caller-resources';
import { workspaceRoute } from './workspace-route';
import { callableBy } from './callable-by';

/** A stream never outlives this, so a deploy stuck somewhere cannot hold connections forever. */
export const EVENTS_MAX_MS = 10 * 60 * 1000;
/**
 * Once the status is terminal the last steps (update-live after set-ready) may still be finishing; the stream waits
 * for them, but not longer than this, before it logs the terminal status.
 */
const SETTLE_MS = 5_000;
/** Event ids are a deployment's event numbers: PostgreSQL integers. */
const MAX_EVENT_ID = 2_147_483_647;

const eventId = () => optionalQueryInteger({ min: 0, max: MAX_EVENT_ID, message: `must be an event id: a whole number from 0 to ${MAX_EVENT_ID} in plain decimal digits` });

export const EventStreamQuery = z.object({
  lastEventId: eventId().openapi({
    description: 'Resume after this event id, for clients that cannot send the `Last-Event-ID` header (the header wins when both are sent).',
    example: 12,
  }),
  token: lineText(4096)
    .optional()
    .openapi({
      description:
        'An event stream token from POST /v1/deployments/{id}/events/token, instead of the Authorization header (for a browser `EventSource`). ' +
        'Valid for this deployment and this route only, until it expires. Not consulted when an Authorization header is sent.',
    }),
});

const EventStreamHeaders = z.object({
  'last-event-id': eventId().openapi({
    description: 'Resume after this event id (an `EventSource` sends it by itself when it reconnects): only later events are sent.',
    example: 12,
  }),
});

const route = createRoute({
  method: 'get',
  path: '/v1/deployments/{id}/events',
  operationId: 'streamDeploymentEvents',
  tags: ['deployments'],
  summary: "Server-sent events: the deployment's steps and status as they change, resumable",
  description:
    'A `text/event-stream` of the deployment\'s event log. Each event has an `id:`, the deployment\'s event number: ' +
    '1, 2, 3 … in order, the same on every connection and every server. A `step` event carries one step row (as in ' +
    'GET /v1/deployments/{id}) each time it changed; a `status` event `{status, statusReason, failedStep, terminal}` ' +
    'each time the in-flight status changed, and once the deploy has settled the terminal status (`terminal: true`), ' +
    'after which the stream closes. The canary of a rolling release also gets a `release` event ' +
    '`{releaseId, state, stage, stages, weight, reason}` at its start, at each stage change and at its end; its stream ' +
    'stays open while the release runs and closes after the status it ends with (`ready`, or `rolled_back`).\n\n' +
    'Without `Last-Event-ID` the stream starts with the first event (the whole history so far). With it (header, or ' +
    '`?lastEventId=` for clients that cannot set headers) it sends only the events after that id: nothing lost, nothing ' +
    'repeated. Resuming after the terminal event answers 204, which tells an `EventSource` to stop reconnecting.\n\n' +
    'The stream starts with `retry:` (the reconnect delay) and sends a comment line `: heartbeat` every 15 s while ' +
    'nothing happens. It lasts at most 10 minutes (then a `timeout` event without id); reconnect to continue.\n\n' +
    'Authenticate with `Authorization: Bearer <key>`, or, where headers cannot be set (a browser `EventSource`), with ' +
    '`?token=` from POST /v1/deployments/{id}/events/token.',
  ...callableBy('admin', 'deployer', 'viewer'),
  security: [{ bearerAuth: [] }, { eventStreamToken: [] }] as typeof BEARER_SECURITY,
  request: { params: DeploymentIdParams, query: EventStreamQuery, headers: EventStreamHeaders },
  responses: {
    200: {
      description: 'The event stream',
      content: {
        'text/event-stream': {
          schema: z.string().openapi({
            example:
              'retry: 3000\n\nid: 1\nevent: status\ndata: {"status":"pending","statusReason":null,"failedStep":null,"terminal":false}\n\n' +
              'id: 2\nevent: step\ndata: {"name":"fetch-metadata","position":0,"status":"pending",…}\n\n: heartbeat\n\n',
          }),
        },
      },
    },
    204: { description: 'Resumed after the terminal event: nothing more will come (an `EventSource` stops reconnecting)' },
    ...errorResponses(...AUTHENTICATED_ERRORS, 404),
  },
});

export const registerDeploymentEvents = workspaceRoute(route, async (c, auth, ctx) => {
  const deploymentId = (await loadDeploymentForCaller(ctx, auth, c.req.valid('param').id)).id;
  const header = c.req.valid('header')['last-event-id'];
  const query = c.req.valid('query').lastEventId;
  // An EventSource keeps its URL (and so a ?lastEventId= set when it was created) and sends the newer id as a header.
  const from = header ?? query ?? 0;
  const head = await readDeploymentHead(ctx.prisma, deploymentId);
  if (!head) return c.body(null, 204);
  if (from > head.eventSeq) {
    const field = header !== undefined ? 'Last-Event-ID' : 'lastEventId';
    throw validationError([
      { location: header !== undefined ? 'header' : 'query', field, message: `is ${from}, after this deployment's last event (${head.eventSeq}): an id from another deployment?` },
    ]);
  }
  const last = from > 0 ? await readEvent(ctx.prisma, deploymentId, from) : null;
  if (from > 0 && from === head.eventSeq && isCurrentTerminal(last, head)) return c.body(null, 204);
  const requestId = c.get('requestId');
  const { EVENTS_RETRY_MS: retryMs, EVENTS_HEARTBEAT_MS: heartbeatMs } = ctx.config;
  return streamSSE(
    c,
    async (stream) => {
      // Not an event (no data): tells an EventSource how long to wait before it reconnects, and opens the stream at once.
      await stream.write(`retry: ${retryMs}\n\n`);
      // Subscribe before the first read: a change committed after it is announced to this watch.
      const watch = await ctx.watcher.watch(deploymentId);
      stream.onAbort(() => watch.wake());
      try {
        await follow(ctx, stream, watch, { deploymentId, from, last, heartbeatMs });
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

/** Whether the deploy has settled: no deploy operation of it unfinished, no step of it pending or running. */
async function hasSettled(ctx: ControlPlaneContext, deploymentId: string): Promise<boolean> {
  const [unfinishedOps, busySteps] = await Promise.all([
    ctx.prisma.operation.count({ where: { deploymentId, kind: 'deploy', state: { in: [...UNFINISHED_STATES] } } }),
    ctx.prisma.deploymentStep.count({ where: { ownerId: deploymentId, status: { in: ['pending', 'running'] } } }),
  ]);
  return unfinishedOps === 0 && busySteps === 0;
}

/**
 * Whether the deployment is the canary of a running release: a ready canary is still changing (its stages, then
 * completed or rolled_back), so its stream goes on past `ready` and sends each `release` event until the release ends.
 */
async function inRunningRelease(ctx: ControlPlaneContext, deploymentId: string): Promise<boolean> {
  return (await ctx.prisma.release.count({ where: { canaryDeploymentId: deploymentId, state: 'running' } })) > 0;
}

interface FollowFrom {
  deploymentId: string;
  /** The last event id the client has: send only later ones. */
  from: number;
  /** That event (null when from is 0). */
  last: LoggedEvent | null;
  heartbeatMs: number;
}

/**
 * Sends the log's events after `from`, in order, as they are logged, until it has sent the terminal status event
 * (which it appends itself once the deploy has settled). Reads the log when an announcement says something changed
 * (or the watcher's fallback interval passed), so the database is read once per change, not once per interval.
 */
async function follow(ctx: ControlPlaneContext, stream: SSEStreamingApi, watch: Watch, { deploymentId, from, last: resumedAt, heartbeatMs }: FollowFrom): Promise<void> {
  const deadline = Date.now() + EVENTS_MAX_MS;
  let cursor = from;
  let last = resumedAt;
  let terminalSince: number | undefined;
  let nextHeartbeat = Date.now() + heartbeatMs;
  let lastLook = false;

  while (!stream.aborted && !stream.closed) {
    const events = await readEventsAfter(ctx.prisma, deploymentId, cursor);
    for (const event of events) {
      await stream.writeSSE({ id: String(event.seq), event: event.type, data: JSON.stringify(eventData(event)) });
      cursor = event.seq;
      last = event;
    }
    if (events.length === EVENT_PAGE) continue;
    // Read after the events: its number is at least the cursor; above it only if an event committed in between.
    const head = await readDeploymentHead(ctx.prisma, deploymentId);
    if (!head) {
      const gone: StatusEventData = { status: null, statusReason: 'the deployment was deleted', failedStep: null, terminal: true };
      await stream.writeSSE({ event: 'status', data: JSON.stringify(gone) });
      return;
    }
    if (head.eventSeq > cursor) continue;
    if (isTerminalStatus(head.status) && !(await inRunningRelease(ctx, deploymentId))) {
      if (isCurrentTerminal(last, head)) return;
      terminalSince ??= Date.now();
      if (Date.now() - terminalSince >= SETTLE_MS || (await hasSettled(ctx, deploymentId))) {
        // Appended by this stream or by another one that got there first: the next read sends it, either way.
        await appendTerminalStatus(ctx.prisma, deploymentId, head.eventSeq);
        continue;
      }
    }
    if (Date.now() >= deadline) {
      // No id: the client's Last-Event-ID stays its last real event, so reconnecting continues from there.
      await stream.writeSSE({ event: 'timeout', data: JSON.stringify({ message: `stream closed after ${EVENTS_MAX_MS / 60_000} minutes; reconnect to continue` }) });
      return;
    }
    // The watcher closed (the process is stopping) and the last look is done: end; the client reconnects elsewhere.
    if (lastLook) return;
    const settleBy = terminalSince === undefined ? Infinity : terminalSince + SETTLE_MS;
    const news = await watch.next(Math.min(deadline, nextHeartbeat, settleBy));
    lastLook = news.closed;
    if (Date.now() >= nextHeartbeat && !stream.aborted) {
      await stream.write(': heartbeat\n\n');
      nextHeartbeat = Date.now() + heartbeatMs;
    }
  }
}
