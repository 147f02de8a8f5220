import path from 'node:path';
import { z } from 'zod';
import { createRedisConnection, RedisConnection } from '../../redis/connection';
import { LuaScript } from '../../redis/lua-script';
import { Logger, silentLogger } from '../../logger';

/** The canary side of a weighted route: `weight` percent (0-100) of the hostname's new clients go to it. */
export interface RouteCanaryAssignment {
  deploymentId: string;
  weight: number;
}

/**
 * One hostname's new owner; `deploymentId: null` means the route was removed. `canary` is the route's canary after
 * the change; null or absent (messages from before weighted routes) means a plain route.
 */
export interface RouteAssignment {
  hostname: string;
  deploymentId: string | null;
  canary?: RouteCanaryAssignment | null;
}

/** What the routing engine publishes after it committed the route changes of one job. */
export interface RouteChange {
  projectId: string;
  /**
   * The RouteChange row's per-project sequence. A routing job that runs again after its commit (a crash between
   * commit and publish, or a false stall) publishes its old change once more with a new global version; the
   * gateway applies a project's change only when its sequence is newer than the last one it holds, so such a
   * replay can never undo a newer change. Absent in messages from before it existed: those always apply.
   */
  sequence?: number;
  routes: RouteAssignment[];
}

/** A published RouteChange with its place in the global order of changes. */
export interface RouteChangeEvent extends RouteChange {
  version: number;
}

export function routesChannel(prefix: string): string {
  return `${prefix}:routes`;
}

export function routesVersionKey(prefix: string): string {
  return `${prefix}:routes:version`;
}

// INCR and PUBLISH in one step (see the script): versions reach subscribers in order.
const PUBLISH = new LuaScript<number>('deployflowPublishRouteChange', path.join(__dirname, 'publish-route-change.lua'), 1);

/**
 * Takes the next global route version and publishes the change with it. Call it only after the change committed:
 * a gateway that reads version N assumes every change up to N is in the database.
 */
export async function publishRouteChange(redis: RedisConnection, prefix: string, change: RouteChange): Promise<number> {
  const payload = JSON.stringify({
    projectId: change.projectId,
    ...(change.sequence === undefined ? {} : { sequence: change.sequence }),
    routes: change.routes.map((r) => ({ hostname: r.hostname, deploymentId: r.deploymentId, ...(r.canary ? { canary: { deploymentId: r.canary.deploymentId, weight: r.canary.weight } } : {}) })),
  });
  return Number(await PUBLISH.run(redis, [routesVersionKey(prefix)], [routesChannel(prefix), payload]));
}

/** The version of the last published change; 0 when nothing was ever published. */
export async function readRouteVersion(redis: RedisConnection, prefix: string): Promise<number> {
  const value = await redis.get(routesVersionKey(prefix));
  return value === null ? 0 : Number(value);
}

const routeChangeEventSchema = z.object({
  version: z.number().int().positive(),
  projectId: z.string(),
  sequence: z.number().int().positive().optional(),
  routes: z.array(
    z.object({
      hostname: z.string().min(1),
      deploymentId: z.string().min(1).nullable(),
      canary: z.object({ deploymentId: z.string().min(1), weight: z.number().int().min(0).max(100) }).nullable().optional(),
    }),
  ),
});

/** Parses a message from the routes channel; undefined for anything that is not a well-formed event. */
export function parseRouteChangeEvent(message: string): RouteChangeEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return undefined;
  }
  const parsed = routeChangeEventSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export interface RouteSubscriptionOptions {
  logger?: Logger;
  /**
   * Called each time the subscription is live again after the connection dropped: messages published while it
   * was down are lost, so the subscriber should resync.
   */
  onResubscribed?: () => void;
}

export interface RouteSubscription {
  /** Unsubscribes; closes the connection only when it was created from a URL. */
  close(): Promise<void>;
}

/**
 * Subscribes to route changes. Pass a Redis URL (a connection of its own is opened and owned) or a dedicated
 * connection (it enters subscriber mode and cannot run other commands). Resolves once the subscription is live.
 */
export async function subscribeRouteChanges(
  connection: string | RedisConnection,
  prefix: string,
  onChange: (event: RouteChangeEvent) => void,
  options: RouteSubscriptionOptions = {},
): Promise<RouteSubscription> {
  const logger = options.logger ?? silentLogger;
  const owned = typeof connection === 'string';
  // Named, so an operator (or a test) can find the gateway's subscriber in CLIENT LIST.
  const subscriber = owned
    ? createRedisConnection(connection, { maxRetriesPerRequest: null, connectionName: `${prefix}:route-subscriber` })
    : connection;
  const channel = routesChannel(prefix);
  let closed = false;

  const onMessage = (from: string, message: string) => {
    if (from !== channel) return;
    const event = parseRouteChangeEvent(message);
    if (!event) {
      logger.warn('ignoring malformed route change message', { channel, message: message.slice(0, 200) });
      return;
    }
    onChange(event);
  };
  const onError = (err: Error) => logger.warn('route subscriber connection error', { error: err.message });
  // ioredis re-subscribes on its own after a reconnect but emits `ready` before it does; subscribing again
  // ourselves (idempotent in Redis) lets us know when the subscription is live before asking for a resync.
  const onReady = () => {
    if (closed) return;
    subscriber.subscribe(channel).then(
      () => {
        if (closed) return;
        logger.info('route subscription restored after reconnect', { channel });
        options.onResubscribed?.();
      },
      (err: Error) => logger.warn('re-subscribing to route changes failed', { error: err.message }),
    );
  };

  subscriber.on('message', onMessage);
  if (owned) subscriber.on('error', onError);
  try {
    await subscriber.subscribe(channel);
  } catch (err) {
    subscriber.off('message', onMessage);
    if (owned) subscriber.disconnect();
    throw err;
  }
  subscriber.on('ready', onReady);

  return {
    async close() {
      if (closed) return;
      closed = true;
      subscriber.off('message', onMessage);
      subscriber.off('ready', onReady);
      if (owned) {
        subscriber.disconnect();
        subscriber.off('error', onError);
        return;
      }
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
