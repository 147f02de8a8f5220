import type { Logger } from '../logger';

export type Dependency = 'redis' | 'database';

interface DependencyState {
  /** undefined until the first report. */
  up: boolean | undefined;
  since: number;
}

/** What a BullMQ Queue, Worker or FlowProducer, or an ioredis connection, looks like to us: something that emits. */
interface Emitter {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each emitter types its listeners differently
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
 *
 * Where a probe is registered (`startProbes`), the probe decides: a report from a connection (an error, a `ready`)
 * only makes it look now. Connections disagree around every change (one is `ready` again while another still reports
 * the refusal it met a moment before), and a state taken from whichever spoke last flapped down/up/down/up.
 */
export class DependencyHealth {
  private readonly states = new Map<Dependency, DependencyState>();
  private readonly probes = new Map<Dependency, () => void>();
  private readonly lastError = new Map<Dependency, string>();

  /** `targets`: what each dependency is, for the log lines (URLs already redacted). */
  constructor(
    private readonly logger: Logger,
    private readonly targets: Partial<Record<Dependency, string>> = {},
  ) {}

  /** A client met a failure talking to the dependency. */
  reportDown(dependency: Dependency, err: unknown): void {
    this.lastError.set(dependency, firstLine(err));
    const confirm = this.probes.get(dependency);
    if (confirm) confirm();
    else this.markDown(dependency, err);
  }

  /** A client reached the dependency again. */
  reportUp(dependency: Dependency): void {
    const confirm = this.probes.get(dependency);
    if (confirm) confirm();
    else this.markUp(dependency);
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
   * Probes each dependency every `everyMs`, and at once when a client reports a change (a probe slower than `timeoutMs`
   * counts as down): the probe's answer is the state. It is also how an outage that no connection notices (an idle
   * pool, a quiet database) is still logged, and how recovery is noticed.
   */
  startProbes(probes: Partial<Record<Dependency, () => Promise<unknown>>>, everyMs = 2_000, timeoutMs = 5_000): () => void {
    const inFlight = new Set<Dependency>();
    const probeOnce = (dependency: Dependency, probe: () => Promise<unknown>) => {
      if (inFlight.has(dependency)) return;
      inFlight.add(dependency);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(this.lastError.get(dependency) ?? `no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      const work = probe();
      Promise.race([work, timeout])
        .then(() => this.markUp(dependency), (err: unknown) => this.markDown(dependency, err))
        .finally(() => clearTimeout(timer));
      // A probe that hangs (a black-holed host) is not stacked with more of the same: the next one waits for it.
      work.then(
        () => inFlight.delete(dependency),
        () => inFlight.delete(dependency),
      );
    };
    const entries = Object.entries(probes) as [Dependency, () => Promise<unknown>][];
    for (const [dependency, probe] of entries) this.probes.set(dependency, () => probeOnce(dependency, probe));
    const interval = setInterval(() => {
      for (const [dependency, probe] of entries) probeOnce(dependency, probe);
    }, everyMs);
    interval.unref();
    return () => {
      clearInterval(interval);
      for (const [dependency] of entries) this.probes.delete(dependency);
    };
  }

  private markDown(dependency: Dependency, err: unknown): void {
    const state = this.stateOf(dependency);
    if (state.up === false) return;
    state.up = false;
    state.since = Date.now();
    // What a client met (e.g. ECONNREFUSED) says more than the probe's own failure.
    this.logger.warn('dependency unreachable', { dependency, target: this.targets[dependency], error: this.lastError.get(dependency) ?? firstLine(err) });
  }

  private markUp(dependency: Dependency): void {
    const state = this.stateOf(dependency);
    if (state.up === true) return;
    const wasDown = state.up === false;
    state.up = true;
    this.lastError.delete(dependency);
    if (wasDown) {
      this.logger.info('dependency reachable again', { dependency, target: this.targets[dependency], downForMs: Date.now() - state.since });
    }
    state.since = Date.now();
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
