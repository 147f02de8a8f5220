import type { RedisConnection } from '../redis/connection';
import type { Logger } from '../logger';
import { quitRedis } from '../services/quit-redis';
import { decodeEvents, eventChannel } from '../engine/state-events';
import type { OperationEvent } from './operation-event';

/**
 * How long a waiter trusts events alone before it reads the state again anyway. Events are lost only when a publish
 * fails (Redis down for the worker) or a message is dropped; a subscriber reconnect is covered at once (see below).
 */
export const DEFAULT_FALLBACK_MS = 2_000;
/** How long a new watch waits for Redis to confirm its subscription before its waiter reads without it. */
const SUBSCRIBE_TIMEOUT_MS = 1_000;
/** A watch holds at most this many unread events; beyond, it asks its waiter to read everything again instead. */
const MAX_BUFFERED = 1_000;

/** What a watch has seen since it was last asked. */
export interface WatchNews {
  events: OperationEvent[];
  /**
   * Events may have been missed (the fallback interval passed, the subscriber reconnected, too many piled up):
   * read everything again.
   */
  resync: boolean;
  /** The watcher is closed (the process is stopping): read once more and stop waiting. */
  closed: boolean;
}

/** One waiter's view of one operation's or deployment's events. */
export interface Watch {
  /**
   * What arrived since the last call: at once if anything did, else as soon as something does, `wake()` is called,
   * `until` (epoch ms) is reached, or the fallback interval has passed (then `resync`).
   */
  next(until: number): Promise<WatchNews>;
  /** Ends a pending `next` now: the waiter has a reason of its own to look (its client left, its server stops). */
  wake(): void;
  /** Stops listening. The last watch of a subject unsubscribes its channel. */
  close(): void;
}

export interface OperationWatcherOptions {
  /** The engine's key prefix (QUEUE_PREFIX): channels live under it. */
  prefix: string;
  /** Opens the one subscriber connection, on first use (a process that never waits never opens it). */
  connect(): RedisConnection;
  logger: Logger;
  fallbackMs?: number;
}

class SubjectWatch implements Watch {
  private events: OperationEvent[] = [];
  private resync = false;
  private woken = false;
  private ended = false;
  private notify?: () => void;
  detach: () => void = () => undefined;

  constructor(private readonly fallbackMs: number) {}

  deliver(event: OperationEvent): void {
    if (this.events.length < MAX_BUFFERED) this.events.push(event);
    else this.resync = true;
    this.notify?.();
  }

  missed(): void {
    this.resync = true;
    this.notify?.();
  }

  end(): void {
    this.ended = true;
    this.notify?.();
  }

  wake(): void {
    this.woken = true;
    this.notify?.();
  }

  async next(until: number): Promise<WatchNews> {
    if (!this.events.length && !this.resync && !this.woken && !this.ended) {
      const waitMs = Math.max(0, Math.min(until - Date.now(), this.fallbackMs));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          // Nothing heard for a whole interval (or the waiter's time is up): look anyway.
          this.resync = true;
          resolve();
        }, waitMs);
        this.notify = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.notify = undefined;
    }
    const news = { events: this.events, resync: this.resync, closed: this.ended };
    this.events = [];
    this.resync = false;
    this.woken = false;
    return news;
  }

  close(): void {
    this.detach();
    this.detach = () => undefined;
  }
}

interface Channel {
  watches: Set<SubjectWatch>;
  /** true once Redis confirmed the SUBSCRIBE, false if it failed (never rejects). */
  subscribed: Promise<boolean>;
}

/**
 * The one watcher of a process: one Redis subscriber connection shared by every waiter (`?wait`, gRPC waits, event
 * streams), one channel subscription per operation or deployment that someone waits for, counted by its watches and
 * dropped with the last one.
 *
 * `watch()` resolves only once the subscription is confirmed, so a waiter that then reads the current state cannot
 * miss the final event: it either reads the finished state, or the event arrives after its read. If the subscriber
 * connection drops, ioredis subscribes again on reconnect; messages published meanwhile are lost, so once the
 * resubscription is confirmed every watch is told to read again (`resync`).
 */
export class OperationWatcher {
  readonly fallbackMs: number;
  private subscriber?: RedisConnection;
  private readonly channels = new Map<string, Channel>();
  private closed = false;

  constructor(private readonly options: OperationWatcherOptions) {
    this.fallbackMs = options.fallbackMs ?? DEFAULT_FALLBACK_MS;
  }

  /** Starts watching an operation or a deployment (by id); resolves once its events can no longer be missed. */
  async watch(subjectId: string): Promise<Watch> {
    const watch = new SubjectWatch(this.fallbackMs);
    if (this.closed) {
      watch.end();
      return watch;
    }
    const name = eventChannel(this.options.prefix, subjectId);
    let channel = this.channels.get(name);
    if (!channel) {
      const subscriber = this.connection();
      channel = {
        watches: new Set(),
        subscribed: subscriber.subscribe(name).then(
          () => true,
          (err: Error) => {
            this.options.logger.debug('subscribing to operation events failed; waiters fall back to reading', { channel: name, error: err.message });
            return false;
          },
        ),
      };
      this.channels.set(name, channel);
    }
    const joined = channel;
    joined.watches.add(watch);
    watch.detach = () => {
      joined.watches.delete(watch);
      if (joined.watches.size > 0 || this.channels.get(name) !== joined) return;
      this.channels.delete(name);
      // Redis handles commands in order: a SUBSCRIBE of a newer watch of this subject goes out after this one.
      this.subscriber?.unsubscribe(name).catch(() => undefined);
    };
    // With Redis unreachable the SUBSCRIBE waits in the offline queue; the waiter goes on with its fallback reads.
    let timer: NodeJS.Timeout | undefined;
    let confirmed = false;
    const subscribed = joined.subscribed.then((ok) => {
      confirmed = true;
      return ok;
    });
    await Promise.race([subscribed, new Promise<void>((resolve) => (timer = setTimeout(resolve, SUBSCRIBE_TIMEOUT_MS)))]);
    clearTimeout(timer);
    // Confirmed late: whatever the waiter read meanwhile may be older than the first event it can hear.
    if (!confirmed) void subscribed.then((ok) => ok && watch.missed());
    return watch;
  }

  /** How many subjects are subscribed now (for tests and diagnostics). */
  get subscribedSubjects(): number {
    return this.channels.size;
  }

  /** Closes the subscriber connection; every watch ends (its waiter reads once more and answers). */
  async close(): Promise<void> {
    this.closed = true;
    const watches = [...this.channels.values()].flatMap((c) => [...c.watches]);
    this.channels.clear();
    for (const watch of watches) watch.end();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await quitRedis(subscriber);
  }

  private connection(): RedisConnection {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.options.connect();
    // ioredis prints an error event nobody listens to as a stack trace; `connect` usually attaches the health watch.
    if (subscriber.listenerCount('error') === 0) subscriber.on('error', (err: Error) => this.options.logger.debug('operation event subscriber error', { error: err.message }));
    let connectedBefore = false;
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    subscriber.on('ready', () => {
      if (!connectedBefore) {
        connectedBefore = true;
        return;
      }
      // A reconnect: ioredis resubscribes right after emitting `ready`. A PING sent after those SUBSCRIBEs is answered
      // after them, so once it is, every channel is live again and a read cannot miss anything.
      setImmediate(() => {
        subscriber.ping().then(
          () => this.missedEverything(),
          () => this.missedEverything(),
        );
      });
    });
    this.subscriber = subscriber;
    return subscriber;
  }

  private deliver(channelName: string, message: string): void {
    const channel = this.channels.get(channelName);
    if (!channel) return;
    // One event, or several that were announced together (state-events.ts coalesces a busy channel's).
    for (const event of decodeEvents<OperationEvent>(message)) for (const watch of channel.watches) watch.deliver(event);
  }

  private missedEverything(): void {
    for (const channel of this.channels.values()) for (const watch of channel.watches) watch.missed();
  }
}
