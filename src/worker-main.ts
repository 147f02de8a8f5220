import { loadConfigOrExit } from './config';
import { createLogger } from './logger';
import { DependencyUnreachableError, waitForPostgresReachable, waitForRedisReachable } from './services/dependency-preflight';
import { Shutdown } from './services/shutdown';

/**
 * `npm run worker`: workers only, for scaling out. Needs REDIS_URL, DATABASE_URL (PostgreSQL), KRANE_URL and
 * KRANE_TOKEN — shared services, since several worker processes must see the same state.
 * ENGINE_SETTINGS (JSON) overrides engine tunables, e.g. '{"pollIntervalMs":100}'.
 * SIGTERM/SIGINT stop it within SHUTDOWN_TIMEOUT_MS (jobs in flight get that long); a second signal stops it at once.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const { REDIS_URL, DATABASE_URL, KRANE_URL, KRANE_TOKEN } = config;
  if (!REDIS_URL || !DATABASE_URL || !KRANE_URL || !KRANE_TOKEN) {
    const missing = Object.entries({ REDIS_URL, DATABASE_URL, KRANE_URL, KRANE_TOKEN }).filter(([, value]) => !value).map(([name]) => name);
    console.error(`npm run worker needs ${missing.join(', ')}: workers share Redis, PostgreSQL and Krane (with its token) with the API process`);
    process.exit(2);
  }
  const logger = createLogger(config.LOG_LEVEL, { service: 'deployflow-worker', pid: process.pid }, { format: config.LOG_FORMAT });
  const shutdown = new Shutdown({ logger, deadlineMs: config.SHUTDOWN_TIMEOUT_MS });
  shutdown.install();
  try {
    await Promise.all([
      waitForRedisReachable(REDIS_URL, config.STARTUP_DEPENDENCY_TIMEOUT_MS),
      waitForPostgresReachable(DATABASE_URL, config.STARTUP_DEPENDENCY_TIMEOUT_MS),
    ]);
  } catch (err) {
    if (err instanceof DependencyUnreachableError) {
      console.error(`deployflow worker: cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  const overrides = process.env.ENGINE_SETTINGS ? JSON.parse(process.env.ENGINE_SETTINGS) : {};
  // Loaded only now: a start refused above says so at once.
  const { startWorkerProcess } = await import('./app/worker');
  startWorkerProcess({ ...config, REDIS_URL, DATABASE_URL, KRANE_URL, KRANE_TOKEN }, logger, shutdown, overrides);
}

void main();
