import os from 'node:os';
import path from 'node:path';

/** The parts of the benchmark; `--only` picks some. */
export const SECTIONS = ['deploy', 'instant', 'poll-load', 'gateway'] as const;
export type Section = (typeof SECTIONS)[number];

/** What one `npm run bench` measures, from argv (`--n 20`, `--n=20`) or the environment (`BENCH_N=20`). */
export interface BenchOptions {
  /** Measured real deploys (examples/hello-api) per mode (sequential, then with `concurrency` lanes). */
  n: number;
  /** Deploys in flight at once in the concurrent modes (one project per lane). */
  concurrency: number;
  /** Measured rollback/promote switches (real deploys; and again unloaded and loaded in the poll-load section). */
  switches: number;
  /** Bare BullMQ flows per shape and mode: they take milliseconds, so more samples cost little. */
  bareN: number;
  /** Unmeasured flows of each kind first, so JIT, pools and connections are warm. */
  warmup: number;
  /** Deploys per mode against the instant Krane (no app start-up). */
  instantN: number;
  /** Deploys kept polling (never-ready instant Krane) while switches are measured. */
  pollingDeploys: number;
  /** Seconds of load per gateway target and round. */
  gatewaySeconds: number;
  /** Rounds over all gateway targets (interleaved, so drift in the machine's load hits every target alike). */
  gatewayRounds: number;
  /** Gateway processes sharing the port. */
  gatewayProcesses: number;
  /** Connections the load generator keeps open. */
  gatewayConnections: number;
  sections: Section[];
  quick: boolean;
  /** Where the JSON results go. */
  out: string;
}

export const DEFAULT_RESULTS_FILE = path.join(__dirname, 'results', 'latest.json');

export const USAGE = `usage: npm run bench -- [options]
  --n                   real deploys (examples/hello-api) per mode (default 30; env BENCH_N)
  --concurrency         deploys in flight at once in the concurrent modes (default 5; env BENCH_CONCURRENCY)
  --switches            measured rollback/promote switches per series (default 30; env BENCH_SWITCHES)
  --bare-n              bare BullMQ flows per shape and mode (default 300; env BENCH_BARE_N)
  --warmup              unmeasured runs of each kind first (default 1 deploy / 20 bare flows; env BENCH_WARMUP)
  --instant-n           deploys per mode against the instant Krane (default 100; env BENCH_INSTANT_N)
  --polling-deploys     deploys polling a never-ready instance during the loaded switches (default 1000; env BENCH_POLLING_DEPLOYS)
  --gateway-seconds     seconds of load per gateway target and round (default 5; env BENCH_GATEWAY_SECONDS)
  --gateway-rounds      interleaved rounds over direct/gateway/caddy/nginx (default 3; env BENCH_GATEWAY_ROUNDS)
  --gateway-processes   gateway processes sharing the port (default: CPU count; env BENCH_GATEWAY_PROCESSES)
  --gateway-connections connections of the load generator (default 32; env BENCH_GATEWAY_CONNECTIONS)
  --only                comma-separated sections: ${SECTIONS.join(', ')} (default all; env BENCH_ONLY)
  --quick               tiny sizes, for a smoke test (env BENCH_QUICK=1)
  --out                 results file (default bench/results/latest.json; env BENCH_OUT)
  --scale               instead of the sections: 1, 2 and 4 worker processes against one redis-server and a Redis Cluster,
                        instant Krane (env BENCH_SCALE_DEPLOYS, BENCH_SCALE_SWITCHES); writes bench/results/scale.json
Uses REDIS_URL / DATABASE_URL when set, otherwise starts its own throwaway redis-server and PostgreSQL.`;

export class BenchUsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'BenchUsageError';
  }
}

const NUMERIC = {
  n: 'BENCH_N',
  concurrency: 'BENCH_CONCURRENCY',
  switches: 'BENCH_SWITCHES',
  'bare-n': 'BENCH_BARE_N',
  warmup: 'BENCH_WARMUP',
  'instant-n': 'BENCH_INSTANT_N',
  'polling-deploys': 'BENCH_POLLING_DEPLOYS',
  'gateway-seconds': 'BENCH_GATEWAY_SECONDS',
  'gateway-rounds': 'BENCH_GATEWAY_ROUNDS',
  'gateway-processes': 'BENCH_GATEWAY_PROCESSES',
  'gateway-connections': 'BENCH_GATEWAY_CONNECTIONS',
} as const;
type Numeric = keyof typeof NUMERIC;

function readArgv(argv: string[]): { numbers: Partial<Record<Numeric, string>>; quick?: boolean; out?: string; only?: string } {
  const numbers: Partial<Record<Numeric, string>> = {};
  let quick: boolean | undefined;
  let out: string | undefined;
  let only: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') {
      quick = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') throw new BenchUsageError('');
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new BenchUsageError(`unexpected argument ${arg}`);
    const [, name, inline] = match;
    const value = inline ?? argv[++i];
    if (value === undefined) throw new BenchUsageError(`--${name} needs a value`);
    if (name === 'out') out = value;
    else if (name === 'only') only = value;
    else if (name in NUMERIC) numbers[name as Numeric] = value;
    else throw new BenchUsageError(`unknown option --${name}`);
  }
  return { numbers, quick, out, only };
}

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new BenchUsageError(`--${name} must be an integer >= ${min}, got ${raw}`);
  return value;
}

function parseSections(raw: string | undefined): Section[] {
  if (raw === undefined || raw.trim() === '') return [...SECTIONS];
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) if (!(SECTIONS as readonly string[]).includes(name)) throw new BenchUsageError(`--only: unknown section ${name}`);
  return SECTIONS.filter((s) => names.includes(s));
}

export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const args = readArgv(argv);
  const quick = args.quick ?? ['1', 'true', 'yes'].includes((env.BENCH_QUICK ?? '').toLowerCase());
  const cpus = os.cpus().length;
  const full: Record<Numeric, number> = {
    n: 30,
    concurrency: 5,
    switches: 30,
    'bare-n': 300,
    warmup: 1,
    'instant-n': 100,
    'polling-deploys': 1000,
    'gateway-seconds': 5,
    'gateway-rounds': 3,
    'gateway-processes': cpus,
    'gateway-connections': 32,
  };
  const defaults: Record<Numeric, number> = quick
    ? { ...full, n: 2, concurrency: 2, switches: 2, 'bare-n': 20, 'instant-n': 4, 'polling-deploys': 20, 'gateway-seconds': 1, 'gateway-rounds': 1 }
    : full;
  const pick = (name: Numeric, min = 1) => positiveInt(name, args.numbers[name] ?? env[NUMERIC[name]], defaults[name], min);
  return {
    n: pick('n'),
    concurrency: pick('concurrency'),
    switches: pick('switches'),
    bareN: pick('bare-n'),
    warmup: pick('warmup', 0),
    instantN: pick('instant-n'),
    pollingDeploys: pick('polling-deploys'),
    gatewaySeconds: pick('gateway-seconds'),
    gatewayRounds: pick('gateway-rounds'),
    gatewayProcesses: pick('gateway-processes'),
    gatewayConnections: pick('gateway-connections'),
    sections: parseSections(args.only ?? env.BENCH_ONLY),
    quick,
    out: path.resolve(args.out ?? env.BENCH_OUT ?? DEFAULT_RESULTS_FILE),
  };
}
