import path from 'node:path';

/** What one `npm run bench` measures, from argv (`--n 20`, `--n=20`) or the environment (`BENCH_N=20`). */
export interface BenchOptions {
  /** Measured deploys per mode (sequential, then with `concurrency` lanes). */
  n: number;
  /** Deploys in flight at once in the concurrent mode (one project per lane). */
  concurrency: number;
  /** Measured rollback/promote switches. */
  switches: number;
  /** Bare BullMQ flows per shape and mode: they take milliseconds, so more samples cost little. */
  bareN: number;
  /** Unmeasured flows of each kind first, so JIT, pools and connections are warm. */
  warmup: number;
  quick: boolean;
  /** Where the JSON results go. */
  out: string;
}

export const DEFAULT_RESULTS_FILE = path.join(__dirname, 'results', 'latest.json');

export const USAGE = `usage: npm run bench -- [--n N] [--concurrency C] [--switches S] [--bare-n B] [--warmup W] [--quick] [--out FILE]
  --n            measured deploys per mode (default 30; env BENCH_N)
  --concurrency  deploys in flight at once in the concurrent mode (default 5; env BENCH_CONCURRENCY)
  --switches     measured rollback/promote switches (default 30; env BENCH_SWITCHES)
  --bare-n       bare BullMQ flows per shape and mode (default 300; env BENCH_BARE_N)
  --warmup       unmeasured runs of each kind first (default 1 deploy / 20 bare flows; env BENCH_WARMUP)
  --quick        tiny sizes, for a smoke test (env BENCH_QUICK=1)
  --out          results file (default bench/results/latest.json; env BENCH_OUT)
Uses REDIS_URL / DATABASE_URL when set, otherwise starts its own throwaway redis-server and PostgreSQL.`;

export class BenchUsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'BenchUsageError';
  }
}

const NUMERIC = ['n', 'concurrency', 'switches', 'bare-n', 'warmup'] as const;
type Numeric = (typeof NUMERIC)[number];

function readArgv(argv: string[]): { numbers: Partial<Record<Numeric, string>>; quick?: boolean; out?: string } {
  const numbers: Partial<Record<Numeric, string>> = {};
  let quick: boolean | undefined;
  let out: string | undefined;
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
    else if ((NUMERIC as readonly string[]).includes(name)) numbers[name as Numeric] = value;
    else throw new BenchUsageError(`unknown option --${name}`);
  }
  return { numbers, quick, out };
}

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new BenchUsageError(`--${name} must be an integer >= ${min}, got ${raw}`);
  return value;
}

export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const args = readArgv(argv);
  const quick = args.quick ?? ['1', 'true', 'yes'].includes((env.BENCH_QUICK ?? '').toLowerCase());
  const defaults = quick ? { n: 2, concurrency: 2, switches: 2, 'bare-n': 20, warmup: 1 } : { n: 30, concurrency: 5, switches: 30, 'bare-n': 300, warmup: 1 };
  const pick = (name: Numeric, envName: string, min = 1) => positiveInt(name, args.numbers[name] ?? env[envName], defaults[name], min);
  return {
    n: pick('n', 'BENCH_N'),
    concurrency: pick('concurrency', 'BENCH_CONCURRENCY'),
    switches: pick('switches', 'BENCH_SWITCHES'),
    bareN: pick('bare-n', 'BENCH_BARE_N'),
    warmup: pick('warmup', 'BENCH_WARMUP', 0),
    quick,
    out: path.resolve(args.out ?? env.BENCH_OUT ?? DEFAULT_RESULTS_FILE),
  };
}
