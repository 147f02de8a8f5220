import { parseArgs } from 'node:util';

export const ENQUEUE_USAGE = `usage: npm run enqueue -- FILE.jsonl [--dry-run] [--rate N] [--concurrency N] [--json]

One operation per line (JSON); empty lines and lines starting with # are skipped:
  {"op":"deploy","workspace":"acme","projectId":"api","image":"file:examples/hello-api", …same fields as POST /v1/deployments}
  {"op":"rollback","workspace":"acme","projectId":"api","targetDeploymentId":"dep_…","expectedSourceDeploymentId":"dep_…","reason":"…"}
  {"op":"promote","workspace":"acme","projectId":"api","targetDeploymentId":"dep_…","reason":"…"}
  {"op":"undo","workspace":"acme","projectId":"api","reason":"…"}
  {"op":"cancel","workspace":"acme","deploymentId":"dep_…"}
  {"op":"rescrape-openapi","workspace":"acme","deploymentId":"dep_…"}

  --dry-run          validate and check every line against the current state; write nothing
  --rate N           start at most N lines per second (default: no limit)
  --concurrency N    lines in flight at once (default 1); lines of one project keep their order
  --json             the report as JSON lines instead of text

Running a file again is safe: each line finds the operation it created before ("already done").
Needs DATABASE_URL (PostgreSQL) and REDIS_URL (and QUEUE_PREFIX if not the default): it only enqueues, workers run elsewhere.
Exit status: 0 every line accepted, 1 some line rejected, 2 the file was not run (usage, configuration, connection)
or the run stopped unexpectedly. Either way, running the file again is safe.`;

export interface EnqueueArgs {
  file: string;
  dryRun: boolean;
  rate?: number;
  concurrency: number;
  json: boolean;
}

export type ParsedArgs = { kind: 'run'; args: EnqueueArgs } | { kind: 'help' } | { kind: 'usage-error'; message: string };

function positiveNumber(name: string, value: string | undefined, integer: boolean): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    return `--${name} must be a ${integer ? 'whole number' : 'number'} greater than 0, got ${JSON.stringify(value)}`;
  }
  return n;
}

/** Reads the command line; a mistake is a usage error with a message, never an exception. */
export function parseEnqueueArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'dry-run': { type: 'boolean', default: false },
        rate: { type: 'string' },
        concurrency: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return { kind: 'usage-error', message: (err as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length === 0) return { kind: 'usage-error', message: 'missing FILE.jsonl' };
  if (positionals.length > 1) return { kind: 'usage-error', message: `one file at a time, got ${positionals.length}: ${positionals.join(' ')}` };
  const rate = positiveNumber('rate', values.rate, false);
  if (typeof rate === 'string') return { kind: 'usage-error', message: rate };
  const concurrency = positiveNumber('concurrency', values.concurrency, true);
  if (typeof concurrency === 'string') return { kind: 'usage-error', message: concurrency };
  return { kind: 'run', args: { file: positionals[0], dryRun: values['dry-run'], rate, concurrency: concurrency ?? 1, json: values.json } };
}
