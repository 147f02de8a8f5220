import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { eventChannel, OperationEvent, subjectsOf } from './operation-event';

/** Where the engine announces a state change, once the database write that made it has committed. */
export interface OperationEvents {
  /**
   * Fire and forget: returns at once, never throws, never waits for Redis. The write it announces is already done and
   * must not fail or slow down because of the announcement; a waiter that misses it reads the state again anyway.
   */
  publish(event: OperationEvent): void;
}

/** Announces nothing (waiters then see changes only through their fallback reads). */
export const noOperationEvents: OperationEvents = { publish: () => undefined };

/**
 * PUBLISH on the engine's shared command connection. Plain pub/sub, not a stream: a waiter subscribes first and then
 * reads the current state from the database, so it never needs past events replayed, and nothing is stored.
 *
 * While the connection is not `ready` (Redis down, reconnecting) an event is dropped rather than queued: queued
 * events would pile up for the whole outage and then arrive stale. A failure is logged once when events start to be
 * lost and once when they go out again, not once per event.
 */
export function redisOperationEvents(redis: Redis, prefix: string, logger: Logger): OperationEvents {
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
    publish(event) {
      try {
        if (redis.status !== 'ready') throw new Error(`the Redis connection is ${redis.status}`);
        const message = JSON.stringify(event);
        for (const subject of subjectsOf(event)) redis.publish(eventChannel(prefix, subject), message).then(sent, failed);
      } catch (err) {
        failed(err);
      }
    },
  };
}
