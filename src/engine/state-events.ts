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
 * PUBLISH on the shared command connection. Plain pub/sub, not a stream: a waiter subscribes first and then reads the
 * current state from the database, so it never needs past events replayed, and nothing is stored, trimmed or expired.
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
  return {
    publish(subjects, event) {
      try {
        if (redis.status !== 'ready') throw new Error(`the Redis connection is ${redis.status}`);
        const message = JSON.stringify(event);
        for (const subject of subjects) redis.publish(eventChannel(prefix, subject), message).then(sent, failed);
      } catch (err) {
        failed(err);
      }
    },
  };
}
