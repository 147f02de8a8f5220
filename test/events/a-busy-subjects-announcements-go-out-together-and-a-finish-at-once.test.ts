import IORedis from 'ioredis';
import { eventChannel, redisStateEvents, type EngineEvent } from '../../src/engine/state-events';
import { silentLogger } from '../../src/logger';
import { testRedis } from '../support/test-redis';

/**
 * A deploy changes its step rows and its status every few milliseconds, and each change was one PUBLISH (27 per
 * deploy), each waking every stream that follows the deployment to read its log again. Announcements made close
 * together on one channel now go out as one message; an operation's move, which `?wait` and gRPC waiters act on, still
 * goes out in the tick it was made, with whatever its channel held back. Counted on a real Redis, with the messages a
 * subscriber receives.
 */
describe('announcements on a busy channel', () => {
  const r = testRedis();
  const redis = r.connect();
  const prefix = `{${r.prefix}}`;
  const subscriber = new IORedis(r.url);
  const received: { channel: string; events: EngineEvent[] }[] = [];
  const events = redisStateEvents(redis, prefix, silentLogger);

  beforeAll(async () => {
    await subscriber.psubscribe(`${prefix}:events:*`);
    subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
      // One event, or several announced together (a JSON array).
      const parsed = JSON.parse(message) as EngineEvent | EngineEvent[];
      received.push({ channel, events: Array.isArray(parsed) ? parsed : [parsed] });
    });
  });
  afterAll(async () => {
    subscriber.disconnect();
    redis.disconnect();
  });
  beforeEach(() => {
    received.length = 0;
  });

  /** Well past the coalescing delay (20 ms). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

  it('go out together, in the order they were made, and a lone one alone', async () => {
    const step = (name: string, status: 'running' | 'succeeded') => ({ type: 'step' as const, ownerId: 'dep_1', name, status });
    const made = [step('fetch-metadata', 'running'), step('fetch-metadata', 'succeeded'), step('set-building', 'running'), step('set-building', 'succeeded')];
    for (const event of made) {
      events.publish(['dep_1'], event);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    events.publish(['dep_2'], step('fetch-metadata', 'running'));
    await settle();
    const dep1 = received.filter((m) => m.channel === eventChannel(prefix, 'dep_1'));
    // One message (two if the machine stalled across the delay), every event in it, in order.
    expect(dep1.length).toBeLessThanOrEqual(2);
    expect(dep1.flatMap((m) => m.events)).toEqual(made);
    expect(received.filter((m) => m.channel === eventChannel(prefix, 'dep_2')).map((m) => m.events)).toEqual([[step('fetch-metadata', 'running')]]);
  });

  it("send an operation's move at once, with what its channel held back", async () => {
    // The PUBLISHes as they are sent (before Redis answers): what went out in this tick and what waits.
    const sent: string[] = [];
    const publish = redis.publish.bind(redis);
    redis.publish = ((channel: string, message: string) => {
      sent.push(channel);
      return publish(channel, message);
    }) as typeof redis.publish;
    const held = { type: 'step' as const, ownerId: 'dep_3', name: 'update-live', status: 'succeeded' as const };
    const finished = { type: 'operation' as const, operationId: 'op_3', state: 'succeeded' as const };
    try {
      events.publish(['dep_3'], held);
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      expect(sent).toEqual([]);
      events.publish(['op_3', 'dep_3'], finished);
      // Sent in this tick, not after the coalescing delay: no timer has run yet.
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      expect(sent.sort()).toEqual([eventChannel(prefix, 'dep_3'), eventChannel(prefix, 'op_3')].sort());
    } finally {
      redis.publish = publish;
    }
    await settle();
    expect(received.filter((m) => m.channel === eventChannel(prefix, 'dep_3')).map((m) => m.events)).toEqual([[held, finished]]);
    expect(received.filter((m) => m.channel === eventChannel(prefix, 'op_3')).map((m) => m.events)).toEqual([[finished]]);
  });
});
