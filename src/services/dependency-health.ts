import type { Logger } from '../logger';

export type Dependency = 'redis' | 'database';

interface DependencyState {
  /** undefined until the first report. */
  up: boolean | undefined;
  since: number;
}

/** What a BullMQ Queue, Worker or FlowProducer, or an ioredis connection, looks like to us: something that emits. */
interface Emitter {
  on(event: string, listener: (...args: any[]) => void): unknown;
}

const CONNECTION_ERROR = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)\b|Connection is closed|Stream isn't writeable|max retries per request|connect ETIMEDOUT|Socket closed unexpectedly/i;

/** Whether an error from a Redis client means "the connection is not there", as opposed to a failed command. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && CONNECTION_ERROR.test(e.code)) return true;
  if (e.name === 'ConnectionClosedError' || e.name === 'MaxRetriesPerRequestError') return true;
  return typeof e.message === 'string' && CONNECTION_ERROR.test(e.message);
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

/**
 * The one place that says whether Redis and the database are reachable. Every connection reports to it, and it logs
 * only changes of state: one structured line when a dependency goes down and one when it is back, however many
 * connections fail and however often they retry in between (ioredis reconnects every few hundred ms).
 */
export class DependencyHealth {
  private readonly states = new Map<Dependency, DependencyState>();

  /** `targets`: what each dependency is, for the log lines (URLs already redacted). */
  constructor(
    private readonly logger: Logger,
    private readonly targets: Partial<Record<Dependency, string>> = {},
  ) {}

  reportDown(dependency: Dependency, err: unknown): void {
    const state = this.stateOf(dependency);
    if (state.up === false) return;
    state.up = false;
    state.since = Date.now();
    this.logger.warn('dependency unreachable', { dependency, target: this.targets[dependency], error: firstLine(err) });
  }

  reportUp(dependency: Dependency): void {
    const state = this.stateOf(dependency);
    if (state.up === true) return;
    const wasDown = state.up === false;
    state.up = true;
    if (wasDown) {
      this.logger.info('dependency reachable again', { dependency, target: this.targets[dependency], downForMs: Date.now() - state.since });
    }
    state.since = Date.now();
  }

  isDown(dependency: Dependency): boolean {
    return this.stateOf(dependency).up === false;
  }

  /** For an ioredis connection we created: its errors and reconnects become state changes, never raw stack traces. */
  watchRedisConnection(connection: Emitter): void {
    connection.on('error', (err: Error) => this.reportDown('redis', err));
    connection.on('ready', () => this.reportUp('redis'));
  }

  /**
   * For a BullMQ Queue, Worker or FlowProducer: connection errors are state changes; anything else is logged as the
   * error it is. Without a listener BullMQ prints each one as a bare stack trace.
   */
  watchQueueClient(client: Emitter, what: string, logger: Logger = this.logger): void {
    client.on('error', (err: Error) => {
      if (isConnectionError(err)) this.reportDown('redis', err);
      else logger.error(`${what} error`, { error: firstLine(err) });
    });
  }

  /**
   * Probes each dependency every `everyMs` (a probe slower than `timeoutMs` counts as down): the way an outage that
   * no connection notices (an idle pool, a quiet database) is still logged, and the way recovery is noticed.
   */
  startProbes(probes: Partial<Record<Dependency, () => Promise<unknown>>>, everyMs = 2_000, timeoutMs = 2_000): () => void {
    const inFlight = new Set<Dependency>();
    const probeOnce = (dependency: Dependency, probe: () => Promise<unknown>) => {
      if (inFlight.has(dependency)) return;
      inFlight.add(dependency);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      const work = probe();
      Promise.race([work, timeout])
        .then(() => this.reportUp(dependency), (err: unknown) => this.reportDown(dependency, err))
        .finally(() => clearTimeout(timer));
      // A probe that hangs (a black-holed host) is not stacked with more of the same: the next one waits for it.
      work.then(
        () => inFlight.delete(dependency),
        () => inFlight.delete(dependency),
      );
    };
    const tick = () => {
      for (const [dependency, probe] of Object.entries(probes) as [Dependency, () => Promise<unknown>][]) probeOnce(dependency, probe);
    };
    const interval = setInterval(tick, everyMs);
    interval.unref();
    return () => clearInterval(interval);
  }

  private stateOf(dependency: Dependency): DependencyState {
    let state = this.states.get(dependency);
    if (!state) {
      state = { up: undefined, since: Date.now() };
      this.states.set(dependency, state);
    }
    return state;
  }
}
