import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApiClient, ApiUnreachable } from '../src/bulk/api-client';
import { apiLineRunner, checkApiAccess, workspaceProblem } from '../src/bulk/api-lines';
import { readBulkLines, validateLine } from '../src/bulk/bulk-file';
import { EnqueueArgs, ENQUEUE_USAGE, parseEnqueueArgs } from '../src/bulk/cli-args';
import { DirectConnectionError, openDirectConnection } from '../src/bulk/direct-connection';
import { directLineRunner } from '../src/bulk/direct-lines';
import { createRunDisplay } from '../src/bulk/progress';
import { LineRefused, lineRanges, rowFormatter, summaryText } from '../src/bulk/report';
import { LineRunner, runBulk } from '../src/bulk/run-bulk';
import { ConfigError, loadConfig } from '../src/config';

/** Exit statuses: every line accepted / some line rejected / nothing run or the system stopped answering / Ctrl-C. */
const ALL_ACCEPTED = 0;
const SOME_REJECTED = 1;
const NOT_RUN = 2;
const STOPPED_BY_SIGNAL: Record<string, number> = { 'Ctrl-C': 130, SIGTERM: 143 };
/** How long lines under way may take to finish after Ctrl-C. */
const GRACE_MS = 5_000;
const API_STOPPED_ANSWERING = 'the API stopped answering';

function fail(message: string, withUsage = false): never {
  process.stderr.write(`enqueue: ${message}\n${withUsage ? `\n${ENQUEUE_USAGE}\n` : ''}`);
  process.exit(NOT_RUN);
}

/** The runner of the chosen mode, once it is known to reach the system; failing that, exit 2 with the reason. */
async function connect(args: EnqueueArgs, validated: ReturnType<typeof validateLine>[]): Promise<{ runner: LineRunner; close(): Promise<void> }> {
  if (args.mode === 'api') {
    const problem = workspaceProblem(validated);
    if (problem) fail(problem);
    const client = new ApiClient({ baseUrl: args.apiUrl, key: args.key, connections: args.concurrency + 1 });
    try {
      await checkApiAccess(client);
    } catch (err) {
      await client.close();
      if (err instanceof ApiUnreachable) fail(`cannot reach the API: ${err.message}. Is the control plane running (npm start)? Point --api or DEPLOYFLOW_API_URL at it.`);
      if (err instanceof LineRefused) fail(err.message);
      throw err;
    }
    return { runner: apiLineRunner(client), close: () => client.close() };
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  try {
    const connection = await openDirectConnection(config, args.concurrency);
    return { runner: directLineRunner(connection.deps), close: () => connection.close() };
  } catch (err) {
    if (err instanceof DirectConnectionError) fail(err.message);
    throw err;
  }
}

/**
 * `npm run enqueue -- FILE.jsonl`: one operation per line, over the HTTP API with an API key (default) or, with
 * --direct, through the same services straight to PostgreSQL and the workers' Redis. Rows are printed as lines
 * finish (stdout), progress on stderr; Ctrl-C ends with a report of what ran and what did not.
 */
async function main(): Promise<void> {
  const parsed = parseEnqueueArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(`${ENQUEUE_USAGE}\n`);
    return;
  }
  if (parsed.kind === 'usage-error') fail(parsed.message, true);
  const args = parsed.args;

  let content: string;
  try {
    if (!(await stat(args.file)).isFile()) fail(`${args.file} is not a file`, true);
    content = await readFile(args.file, 'utf8');
  } catch (err) {
    fail(`cannot read ${args.file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, true);
  }
  const lines = readBulkLines(content);
  const validated = lines.map(validateLine);
  const { runner, close } = await connect(args, validated);

  const display = createRunDisplay(process.stderr, process.stdout);
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (reason: string) => () => {
    signals += 1;
    if (signals === 1) {
      process.stderr.write(`\nenqueue: ${reason}: starting no more lines; waiting up to ${GRACE_MS / 1000}s for lines under way (again to stop at once)\n`);
      stop.abort(reason);
      return;
    }
    process.stderr.write('\nenqueue: stopped at once: lines under way may or may not have been applied; running the file again is safe\n');
    process.exit(STOPPED_BY_SIGNAL[reason] ?? NOT_RUN);
  };
  process.on('SIGINT', onSignal('Ctrl-C'));
  process.on('SIGTERM', onSignal('SIGTERM'));

  const row = rowFormatter(validated.map((v) => ({ lineNumber: v.source.lineNumber, op: v.ok ? v.line.op : (v.op ?? null) })));
  const notRun: number[] = [];
  const report = await runBulk(runner, lines, {
    fileName: path.basename(args.file),
    dryRun: args.dryRun,
    rate: args.rate,
    concurrency: args.concurrency,
    progress: display,
    signal: stop.signal,
    graceMs: GRACE_MS,
    onLine(line) {
      if (args.json) display.print(`${JSON.stringify(line)}\n`);
      else if (line.outcome === 'not run') notRun.push(line.line);
      else display.print(`${row(line)}\n`);
      // With the API gone for good (every try of a line failed to connect), starting more lines would only fail slowly.
      if (line.code === 'api_unreachable' && !stop.signal.aborted) stop.abort(API_STOPPED_ANSWERING);
    },
  });
  await close();

  const { summary } = report;
  if (notRun.length) process.stdout.write(`not run: line(s) ${lineRanges(notRun)} (running the file again runs them and skips what is done)\n`);
  process.stdout.write(args.json ? `${JSON.stringify({ summary })}\n` : `${summaryText(summary)}\n`);
  let code = summary.rejected > 0 ? SOME_REJECTED : ALL_ACCEPTED;
  if (summary.stoppedBy) code = STOPPED_BY_SIGNAL[summary.stoppedBy] ?? NOT_RUN;
  // Lines abandoned after the grace period may still hold timers and sockets: leave now, the report is out.
  process.exit(code);
}

main().catch((err) => {
  process.stderr.write(`enqueue: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(NOT_RUN);
});
