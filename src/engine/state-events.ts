import type { RedisConnection } from '../redis/connection';
import type { OperationState, StepStatus } from '../generated/prisma/client';
import type { Logger } from '../logger';

/**
 * A state change committed to the database, announced to whoever waits for it. An event is a wake-up call, never the
 * state itself: a waiter that hears one reads the rows again (the database stays the one source of truth), so a lost
 * or repeated event costs at most a fallback read, never a wrong answer.
 *
 * The engine announces the rows it owns (operations and step rows); the application announces its own rows the same
 * way, on the same channels (e.g. a deployment's status).
 */
export type OperationChanged = { type: 'operation'; operationId: string; state: OperationState };
/** A step row changed; `name: '*'` when several rows of the owner changed at once (planned, skipped, rolled forward). */
export type StepChanged = { type: 'step'; ownerId: string; name: string; status?: StepStatus };
export type EngineEvent = OperationChanged | StepChanged;

/** Where committed state changes are announced, each on the channels of the subjects (ids) it concerns. */
export interface StateEvents {
  /**
   * Fire and forget: returns at once, never throws, never waits for Redis. The write it announces is already done and
   * must not fail or slow down because of the announcement; a waiter that misses it reads the state again anyway.
   */
  publish<E extends { type: string }>(subjects: readonly string[], event: E): void;
}

/** Announces nothing (waiters then see changes only through their fallback reads). */
export const noStateEvents: StateEvents = { publish: () => undefined };

/**
 * One pub/sub channel per subject (an operation, a step rows' owner, a deployment), under the engine's key prefix: the
 * prefix's braces are the Redis Cluster hash tag of every engine key, and keep all channels in one slot should they
 * move to sharded pub/sub.
 */
export function eventChannel(prefix: string, subjectId: string): string {
  return `${prefix}:events:${subjectId}`;
}

/**
 * The subjects that hear an operation's changes: the operation itself, and the owner of its step rows (whose event
 * stream follows the operation writing its timeline, e.g. a deployment's stream its deploy).
 */
export function operationSubjects(operationId: string, ownerId: string | undefined): string[] {
  return ownerId && ownerId !== operationId ? [operationId, ownerId] : [operationId];
}

/**
 * How long an announcement may wait for others on its channel, so that the changes of a busy subject (a deploy's step
 * rows and statuses change every few milliseconds) go out together, as one message, rather than one PUBLISH (and one
 * wake-up, with its reads, of every stream that follows the subject) per change.
 */
export const EVENT_COALESCE_MS = 20;

/**
 * An event a waiter acts on at once (an operation's move: `?wait` and gRPC waits answer on its finish): it goes out in
 * the same tick, together with whatever its channel held back, never after the coalescing delay.
 */
function isUrgent(event: { type: string }): boolean {
  return event.type === 'operation';
}

/** What one message on a channel carries: one event, or several (a JSON array) when they were coalesced. */
export function encodeEvents(events: readonly object[]): string {
  return JSON.stringify(events.length === 1 ? events[0] : events);
}

/** The events of one message (one, or a coalesced array); nothing for a message that is not JSON. */
export function decodeEvents<E>(message: string): E[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return [];
  }
  return (Array.isArray(parsed) ? parsed : [parsed]).filter((e): e is E => typeof e === 'object' && e !== null);
}

/** One channel's announcements in flight: those held back, and when they go. */
interface ChannelState {
  events: object[];
  /** A send is queued for this tick. */
  queued: boolean;
  /** Running while the channel holds its announcements back (they go when it fires). */
  held?: NodeJS.Timeout;
}

/**
 * PUBLISH on the shared command connection. Plain pub/sub, not a stream: a waiter subscribes first and then reads the
 * current state from the database, so it never needs past events replayed, and nothing is stored, trimmed or expired.
 *
 * Coalesced per channel: an announcement waits up to `EVENT_COALESCE_MS` for others on its channel, and all of them go
 * out as one message (a JSON array, `decodeEvents`; a lone event as itself). An operation's move (`isUrgent`) goes out
 * in the tick it was made, with whatever its channel held; what follows it within the delay is held again. Each event
 * is a wake-up call whose waiter reads the rows again, so several in one message wake it once, to read the same rows.
 *
 * While the connection is not `ready` (Redis down, reconnecting) an event is dropped rather than queued: queued
 * events would pile up for the whole outage and then arrive stale. A failure is logged once when events start to be
 * lost and once when they go out again, not once per event.
 */
export function redisStateEvents(redis: RedisConnection, prefix: string, logger: Logger): StateEvents {
  let lost = 0;
  const failed = (err: unknown) => {
    if (lost++ === 0) {
      logger.warn('operation event not published; waiters fall back to reading the database', { error: err instanceof Error ? err.message : String(err) });
    }
  };
  const sent = () => {
    if (lost === 0) return;
    logger.info('operation events published again', { lost });
    lost = 0;
  };
  const channels = new Map<string, ChannelState>();
  const hold = (channel: string, state: ChannelState) => {
    state.held = setTimeout(() => {
      state.held = undefined;
      if (!state.queued) send(channel, state);
    }, EVENT_COALESCE_MS);
    state.held.unref();
  };
  const send = (channel: string, state: ChannelState) => {
    state.queued = false;
    if (state.held) clearTimeout(state.held);
    state.held = undefined;
    const events = state.events;
    if (events.length === 0) return void channels.delete(channel);
    state.events = [];
    // What comes within the delay after this send waits for the next one (the state goes once a delay passes empty).
    hold(channel, state);
    try {
      if (redis.status !== 'ready') throw new Error(`the Redis connection is ${redis.status}`);
      redis.publish(channel, encodeEvents(events)).then(sent, failed);
    } catch (err) {
      failed(err);
    }
  };
  return {
    publish(subjects, event) {
      try {
        for (const subject of subjects) {
          const channel = eventChannel(prefix, subject);
          let state = channels.get(channel);
          if (!state) channels.set(channel, (state = { events: [], queued: false }));
          state.events.push(event);
          if (state.queued) continue;
          if (isUrgent(event)) {
            state.queued = true;
            const queued = state;
            queueMicrotask(() => send(channel, queued));
          } else if (!state.held) hold(channel, state);
        }
      } catch (err) {
        failed(err);
      }
    },
  };
}
