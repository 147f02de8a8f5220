import { readFile, stat } from 'node:fs/promises';
import IORedis from 'ioredis';
import { ENQUEUE_USAGE, parseEnqueueArgs } from '../src/bulk/cli-args';
import { formatReportJsonl, formatReportText } from '../src/bulk/format-report';
import { createProgress } from '../src/bulk/progress';
import { readBulkLines } from '../src/bulk/read-lines';
import { runBulk } from '../src/bulk/run-bulk';
import { ConfigError, loadConfig } from '../src/config';
import type { AppContext } from '../src/context';
import { openPostgres } from '../src/db/database';
import { createDeployflowProducer } from '../src/app/deployflow-engine';
import { defaultSettings } from '../src/app/settings';
import { createLogger } from '../src/logger';

/** Exit statuses: every line accepted / some line rejected / nothing run (usage, configuration, connection). */
const ALL_ACCEPTED = 0;
const SOME_REJECTED = 1;
const NOT_RUN = 2;

/** Prisma's errors span several lines; the last one says what happened. */
function lastLine(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? 'unknown error';
}

function fail(message: string, withUsage = false): never {
  process.stderr.write(`enqueue: ${message}\n${withUsage ? `\n${ENQUEUE_USAGE}\n` : ''}`);
  process.exit(NOT_RUN);
}

/**
 * `npm run enqueue -- FILE.jsonl`: enqueues one operation per line, through the same schemas and services as the API.
 * It only enqueues: the flows run on the workers of `npm start` / `npm run worker`, which share its Redis and PostgreSQL.
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

  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const missing = (['DATABASE_URL', 'REDIS_URL'] as const).filter((name) => !config[name]);
  if (missing.length) {
    fail(`needs ${missing.join(' and ')}: the script writes to the PostgreSQL database and enqueues on the Redis the workers use (KRANE_URL is not needed)`);
  }

  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, { service: 'deployflow-enqueue' });
  const db = openPostgres(config.DATABASE_URL!, Math.min(config.DATABASE_POOL_SIZE, args.concurrency + 2));
  // Not the workers' "retry forever" setting: with Redis down, a command fails after a few tries instead of hanging.
  const redis = new IORedis(config.REDIS_URL!, { maxRetriesPerRequest: 3, connectTimeout: 5_000 });
  redis.on('error', () => undefined);
  const closeAll = async () => {
    await redis.quit().catch(() => redis.disconnect());
    await db.close().catch(() => undefined);
  };
  try {
    await db.ping();
  } catch (err) {
    await closeAll();
    fail(`cannot reach PostgreSQL at DATABASE_URL: ${lastLine(err)}`);
  }
  try {
    await redis.ping();
  } catch (err) {
    await closeAll();
    fail(`cannot reach Redis at REDIS_URL: ${lastLine(err)}`);
  }

  const ctx: AppContext = { config, db, prisma: db.prisma, redis, logger };
  // Only the producer: the flows run on the workers of `npm start` / `npm run worker`.
  const engine = createDeployflowProducer(ctx);
  const settings = defaultSettings(config);
  const lines = readBulkLines(content);
  const report = await runBulk({ prisma: db.prisma, enqueue: (operationId) => engine.producer.enqueue(operationId), openapiLimits: { timeoutMs: settings.instanceHttpTimeoutMs, maxBytes: settings.openapiMaxBytes } }, lines, {
    fileName: args.file,
    dryRun: args.dryRun,
    rate: args.rate,
    concurrency: args.concurrency,
    progress: createProgress(process.stderr),
  });
  await engine.close();
  await closeAll();

  process.stdout.write(args.json ? formatReportJsonl(report) : formatReportText(report));
  process.exitCode = report.summary.rejected > 0 ? SOME_REJECTED : ALL_ACCEPTED;
}

main().catch((err) => {
  process.stderr.write(`enqueue: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(NOT_RUN);
});
