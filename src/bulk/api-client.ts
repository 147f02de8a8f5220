import { Agent, request } from 'undici';
import { LineInterrupted } from './report';

/** An answer of the HTTP API: its status, its JSON body (undefined when it had none or it was not JSON). */
export interface ApiAnswer {
  status: number;
  body: unknown;
  /** The API replayed the answer of an earlier request with the same Idempotency-Key: nothing new happened. */
  replayed: boolean;
}

/** The API did not answer at all (connection refused, reset, timed out), as many times as the client tries. */
export class ApiUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiUnreachable';
  }
}

export interface ApiClientOptions {
  /** `http://127.0.0.1:3000`, or with a path prefix when the API is served below one. */
  baseUrl: string;
  key: string;
  /** Tries of one request that fails to connect or is answered 5xx (default 4); 429 answers do not count. */
  attempts?: number;
  /** Wait before the first retry, doubled for each next one (default 500 ms), unless the answer says Retry-After. */
  backoffMs?: number;
  /** An answer's headers must arrive within this (default 30 s); a request that timed out is sent again. */
  requestTimeoutMs?: number;
  /** The longest Retry-After honoured as given (default 10 minutes); longer ones are cut to it. */
  maxRetryAfterMs?: number;
  /** Connections to the API at most (default 8). */
  connections?: number;
}

/** Statuses worth sending the same request again for: the server or something in front of it failed in passing. */
const TRANSIENT_STATUSES = new Set([500, 502, 503, 504]);

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function errorCodeOf(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

function describeFailure(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** Waits `ms`, or throws LineInterrupted as soon as `signal` is aborted (at once if it already is). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new LineInterrupted());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LineInterrupted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The script's HTTP client for the API (undici). Every request carries the API key. Answers 429 are waited out as the
 * API asks (`Retry-After`), for every request of the run at once (the limit is the key's, not the line's), and never
 * count as a failure; a connection failure or a 5xx answer is tried again a bounded number of times, as is 409
 * `idempotency_in_progress` (an earlier try of the same request is still being answered). Sending a request again
 * is safe because every write carries its line's Idempotency-Key.
 */
export class ApiClient {
  /** Answers 429 waited out so far. */
  rateLimited = 0;
  /** Requests sent again after a failure. */
  retried = 0;
  private pausedUntil = 0;
  private readonly agent: Agent;
  private readonly baseUrl: string;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.attempts = options.attempts ?? 4;
    this.backoffMs = options.backoffMs ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 600_000;
    const timeout = options.requestTimeoutMs ?? 30_000;
    this.agent = new Agent({ connections: options.connections ?? 8, headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: Math.min(timeout, 10_000) });
  }

  /**
   * Sends the request until it has a lasting answer, and returns it (a 4xx included: what it means is the caller's
   * business). After the last try, a 5xx answer is returned as it is and a connection failure throws ApiUnreachable.
   * `signal` ends the waiting between tries (LineInterrupted), never a request already on the wire.
   */
  async send(method: 'GET' | 'POST', path: string, options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<ApiAnswer> {
    let failures = 0;
    for (;;) {
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) await pause(wait, options.signal);
      else if (options.signal?.aborted) throw new LineInterrupted();

      let answer: ApiAnswer & { retryAfter?: number };
      try {
        answer = await this.once(method, path, options.body, options.headers);
      } catch (err) {
        failures += 1;
        if (failures >= this.attempts) throw new ApiUnreachable(`${method} ${this.baseUrl}${path}: ${describeFailure(err)} (tried ${failures} times)`);
        this.retried += 1;
        await pause(this.backoff(failures), options.signal);
        continue;
      }
      if (answer.status === 429) {
        this.rateLimited += 1;
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + (answer.retryAfter ?? 1_000));
        continue;
      }
      const transient = TRANSIENT_STATUSES.has(answer.status) || (answer.status === 409 && errorCodeOf(answer.body) === 'idempotency_in_progress');
      if (!transient) return answer;
      failures += 1;
      if (failures >= this.attempts) return answer;
      this.retried += 1;
      await pause(answer.retryAfter ?? this.backoff(failures), options.signal);
    }
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }

  private backoff(failures: number): number {
    return this.backoffMs * 2 ** (failures - 1);
  }

  private async once(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer & { retryAfter?: number }> {
    const res = await request(`${this.baseUrl}${path}`, {
      method,
      dispatcher: this.agent,
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${this.options.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const retryAfter = retryAfterMs(res.headers['retry-after']);
    return {
      status: res.statusCode,
      body: parsed,
      replayed: res.headers['idempotent-replayed'] === 'true',
      retryAfter: retryAfter === undefined ? undefined : Math.min(retryAfter, this.maxRetryAfterMs),
    };
  }
}
