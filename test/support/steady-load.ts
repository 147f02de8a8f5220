import { Agent, request } from 'undici';

export interface SteadyLoadSample {
  /** When the answer's head arrived (Date.now()). */
  at: number;
  /**
   * When the request was sent (Date.now()). A request sent before a switch can be answered by the old side after it,
   * on a loaded machine hundreds of ms later: what a switch guarantees is about requests sent after it.
   */
  sentAt: number;
  /** The HTTP status; 0 when the request failed without an answer (connection refused or reset). */
  status: number;
  /** The `x-deployment-id` response header: which deployment answered. */
  deploymentId: string | null;
  /** Which simulated client (0-based) sent it. */
  client: number;
}

export interface SteadyLoad {
  /** Stops sending, waits for the requests in flight, and closes the connections. */
  stop(): Promise<void>;
  /** Every answer so far, in the order they arrived (live: grows while the load runs). */
  samples: SteadyLoadSample[];
}

export interface SteadyLoadOptions {
  /** The gateway, e.g. `http://127.0.0.1:1234`. */
  url: string;
  /** The Host header every request carries. */
  host: string;
  /** Requests per second over all clients. */
  rps: number;
  /** Simulated clients, each with its own cookie jar. Default 10. */
  clients?: number;
  /** Default `/`. */
  path?: string;
}

/**
 * One simulated browser's cookies: what `Set-Cookie` gave it (name → value), sent back on each of its requests, so a
 * sticky cookie set by the gateway is honoured as a browser would. Attributes (Path, HttpOnly…) are not needed for
 * one host and path; `Max-Age=0` or an expiry in the past deletes the cookie.
 */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k, v = ''] = a.split('=').map((s) => s.trim());
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k.toLowerCase() === 'expires') return Date.parse(v) <= Date.now();
        return false;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Steady open-loop traffic through the gateway: request n is due at start + n/rps whatever the answers' latency
 * (a slow canary does not slow the load down), sent by client n mod `clients`. A client whose very first request is
 * still unanswered skips its turns until that answer (and its cookie) is in, as a browser loading a page would;
 * after that its requests go out on schedule.
 */
export function startSteadyLoad(opts: SteadyLoadOptions): SteadyLoad {
  const clients = opts.clients ?? 10;
  if (!(opts.rps > 0) || !(clients >= 1)) throw new Error('startSteadyLoad needs rps > 0 and clients >= 1');
  const path = opts.path ?? '/';
  // No cap on connections: a cap would queue requests behind slow answers and make the load closed-loop.
  const dispatcher = new Agent({ keepAliveTimeout: 4_000 });
  const jars = Array.from({ length: clients }, () => new CookieJar());
  const answeredOnce = new Array<boolean>(clients).fill(false);
  const firstInFlight = new Array<boolean>(clients).fill(false);
  const samples: SteadyLoadSample[] = [];
  const inFlight = new Set<Promise<void>>();
  const startedAt = performance.now();
  let due = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const send = (client: number) => {
    if (!answeredOnce[client]) {
      if (firstInFlight[client]) return;
      firstInFlight[client] = true;
    }
    const cookie = jars[client].header();
    const headers: Record<string, string> = { host: opts.host };
    if (cookie) headers.cookie = cookie;
    const done = (async () => {
      const sentAt = Date.now();
      let status = 0;
      let deploymentId: string | null = null;
      try {
        const res = await request(opts.url + path, { method: 'GET', headers, dispatcher });
        status = res.statusCode;
        const header = res.headers['x-deployment-id'];
        deploymentId = typeof header === 'string' ? header : null;
        jars[client].store(res.headers['set-cookie']);
        samples.push({ at: Date.now(), sentAt, status, deploymentId, client });
        await res.body.dump();
      } catch {
        samples.push({ at: Date.now(), sentAt, status, deploymentId, client });
      }
      answeredOnce[client] = true;
      firstInFlight[client] = false;
    })();
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  const tick = () => {
    if (stopped) return;
    const target = Math.floor(((performance.now() - startedAt) * opts.rps) / 1000);
    for (; due < target; due++) send(due % clients);
    timer = setTimeout(tick, Math.max(1, Math.min(20, 1000 / opts.rps)));
  };
  send(due++ % clients);
  tick();

  return {
    samples,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      await dispatcher.close();
    },
  };
}
