/**
 * A closed-loop HTTP load generator, run as its own process so that it never shares an event loop with what it
 * measures: `connections` keep-alive connections, each sending its next GET as soon as the previous answer ended.
 * Prints one JSON line (`LoadResult`) on stdout.
 *
 *   node --import tsx bench/load-generator.ts --url http://127.0.0.1:8080/ --host app.localhost --connections 32 --seconds 10 --warmup-seconds 1
 *
 * Built on undici's dispatcher API (the response body is counted, never buffered), so the generator costs the CPU
 * as little as we know how: on a 2-core machine it shares the cores with the proxy under test.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

export interface LoadResult {
  url: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  /** Answers that were not 2xx, and requests that failed (connection errors, resets). Both should be 0. */
  non2xx: number;
  errors: number;
  firstError?: string;
  latency: { p50Ms: number; p95Ms: number; p99Ms: number; meanMs: number; maxMs: number };
}

interface Args {
  url: string;
  host?: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

function parseArgs(argv: string[]): Args {
  const named = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    named.set(argv[i].slice(2), argv[i + 1]);
  }
  const url = named.get('url');
  if (!url) throw new Error('--url is required');
  return {
    url,
    host: named.get('host'),
    connections: Number(named.get('connections') ?? 32),
    seconds: Number(named.get('seconds') ?? 10),
    warmupSeconds: Number(named.get('warmup-seconds') ?? 1),
  };
}

/** Latencies in a growable typed array: no allocation per sample. */
class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  sorted(): Float64Array {
    return this.data.subarray(0, this.length).sort();
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

async function run(args: Args): Promise<LoadResult> {
  const target = new URL(args.url);
  const pool = new Pool(target.origin, { connections: args.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const headers = args.host ? ['host', args.host] : [];
  const path = target.pathname + target.search;
  const samples = new Samples();
  let measuring = false;
  let stopped = false;
  let requests = 0;
  let non2xx = 0;
  let errors = 0;
  let firstError: string | undefined;

  // One loop per connection: a request is dispatched when the previous one on the loop completed.
  const loop = () =>
    new Promise<void>((resolve) => {
      let started = 0;
      let status = 0;
      const handler: Dispatcher.DispatchHandler = {
        onConnect() {},
        onHeaders(statusCode: number) {
          status = statusCode;
          return true;
        },
        onData() {
          return true;
        },
        onComplete() {
          if (measuring) {
            samples.push(performance.now() - started);
            requests++;
            if (status < 200 || status > 299) non2xx++;
          }
          next();
        },
        onError(err: Error) {
          if (measuring) {
            errors++;
            firstError ??= err.message;
          }
          next();
        },
      };
      const next = () => {
        if (stopped) {
          resolve();
          return;
        }
        started = performance.now();
        pool.dispatch({ path, method: 'GET', headers }, handler);
      };
      next();
    });

  const loops = Array.from({ length: args.connections }, loop);
  await new Promise((r) => setTimeout(r, args.warmupSeconds * 1000));
  measuring = true;
  const from = performance.now();
  await new Promise((r) => setTimeout(r, args.seconds * 1000));
  measuring = false;
  const elapsed = performance.now() - from;
  stopped = true;
  await Promise.all(loops);
  await pool.close();

  const sorted = samples.sorted();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    url: args.url,
    connections: args.connections,
    seconds: round(elapsed / 1000),
    requests,
    rps: Math.round(requests / (elapsed / 1000)),
    non2xx,
    errors,
    ...(firstError ? { firstError } : {}),
    latency: {
      p50Ms: round(percentile(sorted, 50)),
      p95Ms: round(percentile(sorted, 95)),
      p99Ms: round(percentile(sorted, 99)),
      meanMs: round(sorted.length ? sum / sorted.length : 0),
      maxMs: round(sorted.length ? sorted[sorted.length - 1] : 0),
    },
  };
}

if (require.main === module) {
  run(parseArgs(process.argv.slice(2))).then(
    (result) => {
      process.stdout.write(JSON.stringify(result) + '\n');
      process.exit(0);
    },
    (err: Error) => {
      process.stderr.write(`load generator failed: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
