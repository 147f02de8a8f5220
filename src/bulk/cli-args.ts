import { parseArgs } from 'node:util';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export const ENQUEUE_USAGE = `usage: npm run enqueue -- FILE.jsonl [--api URL] [--key KEY] [--dry-run] [--rate N] [--concurrency N] [--json]
       npm run enqueue -- FILE.jsonl --direct [--dry-run] [--rate N] [--concurrency N] [--json]

One operation per line (JSON); empty lines and lines starting with # are skipped:
  {"op":"deploy","projectId":"api","image":"file:examples/hello-api", …same fields as POST /v1/deployments}
  {"op":"rollback","projectId":"api","targetDeploymentId":"dep_…","expectedSourceDeploymentId":"dep_…","reason":"…"}
  {"op":"promote","projectId":"api","targetDeploymentId":"dep_…","reason":"…"}
  {"op":"undo","projectId":"api","reason":"…"}
  {"op":"cancel","deploymentId":"dep_…"}
  {"op":"rescrape-openapi","workspace":"acme","deploymentId":"dep_…"}      (--direct only)
A line may name its "workspace" (a slug); with --direct it must.

Over the HTTP API (the default): each line is the request a user would make, with the key's permissions.
  --api URL          the API (default: DEPLOYFLOW_API_URL, else ${DEFAULT_API_URL}, where npm start serves it)
  --key KEY          an API key of the workspace, role deployer or admin (default: DEPLOYFLOW_API_KEY)
Straight to the database (the operator's option):
  --direct           needs DATABASE_URL and REDIS_URL (and QUEUE_PREFIX if not the default) of the running system

  --dry-run          validate and check every line; write nothing
  --rate N           start at most N lines per second (default: no limit)
  --concurrency N    lines in flight at once (default 1); lines of one project keep their order
  --json             the report as JSON lines instead of text

Each line's result is printed as it finishes, then a summary. Running a file again is safe: each line finds what it
did before ("already done"). Answers 429 are waited out as the API asks; failed connections and 5xx answers are
tried again a few times. Ctrl-C stops starting lines, waits a few seconds for those under way and prints what ran
and what did not (Ctrl-C again: stop at once).
Exit status: 0 every line accepted, 1 some line rejected, 2 the file was not run (usage, configuration, connection)
or the run stopped because the system stopped answering, 130 stopped by Ctrl-C. Either way, running the file again is safe.`;

interface CommonArgs {
  file: string;
  dryRun: boolean;
  rate?: number;
  concurrency: number;
  json: boolean;
}

export type EnqueueArgs = CommonArgs & ({ mode: 'api'; apiUrl: string; key: string } | { mode: 'direct' });

export type ParsedArgs = { kind: 'run'; args: EnqueueArgs } | { kind: 'help' } | { kind: 'usage-error'; message: string };

function positiveNumber(name: string, value: string | undefined, integer: boolean): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    return `--${name} must be a ${integer ? 'whole number' : 'number'} greater than 0, got ${JSON.stringify(value)}`;
  }
  return n;
}

function apiUrlProblem(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `the API URL must start with http:// or https://, got ${JSON.stringify(url)}`;
    if (parsed.search || parsed.hash) return `the API URL takes no query or fragment, got ${JSON.stringify(url)}`;
    return undefined;
  } catch {
    return `the API URL is not a URL: ${JSON.stringify(url)}`;
  }
}

/** Reads the command line (and DEPLOYFLOW_API_URL / DEPLOYFLOW_API_KEY); a mistake is a usage error with a message, never an exception. */
export function parseEnqueueArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
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
        direct: { type: 'boolean', default: false },
        api: { type: 'string' },
        key: { type: 'string' },
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
  const common: CommonArgs = { file: positionals[0], dryRun: values['dry-run'], rate, concurrency: concurrency ?? 1, json: values.json };

  if (values.direct) {
    if (values.api !== undefined || values.key !== undefined) {
      return { kind: 'usage-error', message: '--direct writes to the database, not through the API: drop --api and --key, or drop --direct' };
    }
    return { kind: 'run', args: { ...common, mode: 'direct' } };
  }
  const apiUrl = values.api ?? (env.DEPLOYFLOW_API_URL || DEFAULT_API_URL);
  const urlProblem = apiUrlProblem(apiUrl);
  if (urlProblem) return { kind: 'usage-error', message: urlProblem };
  const key = values.key ?? env.DEPLOYFLOW_API_KEY ?? '';
  if (key.trim() === '') {
    return { kind: 'usage-error', message: 'needs an API key of the workspace (role deployer or admin): --key KEY or DEPLOYFLOW_API_KEY' };
  }
  return { kind: 'run', args: { ...common, mode: 'api', apiUrl, key: key.trim() } };
}
