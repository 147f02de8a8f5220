import type { RedisConnection } from '../redis/connection';
import { Logger, silentLogger } from '../logger';
import { readRouteVersion, RouteChangeEvent, RouteSubscription, subscribeRouteChanges } from '../routing/publication/route-publication';
import type { RouteSource } from './route-source';
import type { RouteTable } from './route-table';

export interface RouteSyncOptions {
  table: RouteTable;
  source: RouteSource;
  /** A connection for commands (reads the route version). */
  redis: RedisConnection;
  /** A Redis URL (a subscriber connection is opened and owned) or a dedicated subscriber connection. */
  subscriber: string | RedisConnection;
  prefix: string;
  /** Full reload period; heals lost messages and instance changes that are not published. Default 10 s. */
  resyncMs?: number;
  /** A resync that takes longer is abandoned (the old table stays). Default 15 s. */
  resyncTimeoutMs?: number;
  logger?: Logger;
  /**
   * True while Redis or the database is known to be down (and that is logged elsewhere, once): a failed reload is then
   * expected and logged at debug level, instead of as an error every `resyncMs` for the length of the outage.
   */
  inOutage?: () => boolean;
}

export interface RouteSyncStats {
  /** Full reloads that replaced the table. */
  resyncs: number;
  /** Full reloads that failed (the old table was kept). */
  failedResyncs: number;
  /** Published changes applied one by one. */
  applied: number;
  /** Published changes ignored because the table already reflected them. */
  stale: number;
  /** Published changes of a project older than one the table already holds (a routing job's replay): skipped. */
  superseded: number;
}

export interface RouteSync {
  /** Queues a full reload and resolves with whether it replaced the table. */
  resync(): Promise<boolean>;
  stats(): RouteSyncStats;
  stop(): Promise<void>;
}

class ResyncTimeoutError extends Error {}

/**
 * Keeps a RouteTable current: a full load at start, every published change applied as it arrives, and a full
 * reload when a change is missing (version gap), after the subscriber reconnected, and every `resyncMs`.
 * All updates run one at a time, in arrival order, so a change never overtakes a reload or another change.
 * Resolves after the first load was attempted; when that failed the table stays unloaded and the next tick retries.
 */
export async function startRouteSync(options: RouteSyncOptions): Promise<RouteSync> {
  const { table, source, redis, prefix } = options;
  const logger = options.logger ?? silentLogger;
  const resyncMs = options.resyncMs ?? 10_000;
  const resyncTimeoutMs = options.resyncTimeoutMs ?? 15_000;
  const stats: RouteSyncStats = { resyncs: 0, failedResyncs: 0, applied: 0, stale: 0, superseded: 0 };

  let stopped = false;
  let chain: Promise<unknown> = Promise.resolve();
  let queuedResync: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;

  function enqueue<T>(task: () => Promise<T>, fallback: T): Promise<T> {
    const run = chain.then(() => (stopped ? fallback : task()));
    chain = run.catch((err: Error) => logger.error('route sync task failed', { error: err.message }));
    return run.catch(() => fallback);
  }

  async function loadWithin<T>(work: Promise<T>): Promise<T> {
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new ResyncTimeoutError(`resync took longer than ${resyncTimeoutMs} ms`)), resyncTimeoutMs);
    });
    try {
      return await Promise.race([work, expired]);
    } finally {
      clearTimeout(timeout);
    }
  }

  // Runs inside the chain only.
  async function fullResync(reason: string): Promise<boolean> {
    try {
      const snapshot = await loadWithin(
        (async () => {
          // Version first: every change up to it committed before it was published, so the snapshot read next
          // holds at least those. Reading it after could claim changes the snapshot lacks.
          const version = await readRouteVersion(redis, prefix);
          return { version, data: await source.loadAll() };
        })(),
      );
      if (stopped) return false;
      table.replace(snapshot.data, snapshot.version);
      stats.resyncs++;
      logger.debug('route table reloaded', { reason, version: snapshot.version, routes: table.size });
      return true;
    } catch (err) {
      stats.failedResyncs++;
      const log = options.inOutage?.() ? logger.debug : logger.error;
      log('route table reload failed; keeping the current table', { reason, error: (err as Error).message });
      return false;
    }
  }

  function requestResync(reason: string): Promise<boolean> {
    // A reload that has not started yet will see everything a new request would: share it.
    if (queuedResync) return queuedResync;
    const queued = enqueue(() => {
      if (queuedResync === queued) queuedResync = undefined;
      return fullResync(reason);
    }, false);
    queuedResync = queued;
    return queued;
  }

  // Runs inside the chain only.
  async function applyEvent(event: RouteChangeEvent): Promise<void> {
    if (!table.loaded) {
      await fullResync('change before first load');
      return;
    }
    if (event.version <= table.version) {
      stats.stale++;
      return;
    }
    if (event.version !== table.version + 1) {
      logger.warn('route change version gap; reloading', { have: table.version, got: event.version });
      await fullResync('version gap');
      return;
    }
    if (table.isSuperseded(event)) {
      // A routing job replayed its old change after a newer one of the same project: keep the newer routes.
      table.applyChange(event);
      stats.superseded++;
      return;
    }
    const unknown = [
      ...new Set(
        // The canary's instances too: a weighted route sends part of its traffic there from the moment it applies.
        event.routes
          .flatMap((r) => (r.canary ? [r.deploymentId, r.canary.deploymentId] : [r.deploymentId]))
          .filter((id): id is string => id !== null && !table.knowsDeployment(id)),
      ),
    ];
    let instances: Record<string, string[]> = {};
    if (unknown.length > 0) {
      try {
        instances = await source.loadInstances(unknown);
      } catch (err) {
        // Without addresses the change would turn working routes into 502s; the next reload applies it.
        logger.error('loading instances for a route change failed; waiting for the next reload', {
          version: event.version,
          error: (err as Error).message,
        });
        return;
      }
    }
    if (stopped) return;
    table.applyChange(event, instances);
    stats.applied++;
  }

  function scheduleTick(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void requestResync('periodic').finally(scheduleTick);
    }, resyncMs);
    timer.unref();
  }

  // Subscribe before the first load, so no change published in between is missed.
  const subscription: RouteSubscription = await subscribeRouteChanges(
    options.subscriber,
    prefix,
    (event) => void enqueue(() => applyEvent(event), undefined),
    { logger, onResubscribed: () => void requestResync('subscriber reconnected') },
  );
  await requestResync('start');
  scheduleTick();

  return {
    resync: () => requestResync('requested'),
    stats: () => ({ ...stats }),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      await subscription.close();
      await chain;
    },
  };
}
