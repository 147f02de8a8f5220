import type { Config } from '../config';
import { createLogger } from '../logger';
import { acquireDataDirLock, DataDirInUseError, DataDirLock } from '../services/data-dir-lock';
import { DependencyUnreachableError, waitForPostgresReachable, waitForRedisReachable } from '../services/dependency-preflight';
import { Shutdown } from '../services/shutdown';

/** A start failure the operator can act on: said in one line, nothing else printed. */
function cannotStart(message: string): never {
  console.error(`deployflow: cannot start: ${message}`);
  process.exit(1);
}

/**
 * `npm start` (`--role all`, the default): the whole control plane in one process on embedded defaults — its own
 * redis-server when REDIS_URL is unset, PGlite when DATABASE_URL is unset, the embedded Krane when KRANE_URL is unset
 * (see control-plane.ts). It first takes what must be checked before anything is touched: the DATA_DIR lock and the servers
 * it is pointed at. SIGTERM/SIGINT/SIGHUP stop everything, children included, in reverse order and within
 * SHUTDOWN_TIMEOUT_MS; a second signal stops at once.
 */
export async function runAllRole(config: Config): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL, { service: 'deployflow' }, { format: config.LOG_FORMAT });
  let lock: DataDirLock | undefined;
  const shutdown = new Shutdown({ logger, deadlineMs: config.SHUTDOWN_TIMEOUT_MS, beforeExit: () => lock?.release() });
  shutdown.install();

  // DATA_DIR holds the embedded Redis's AOF and PGlite's files: one process at a time, checked before anything else.
  if (!config.REDIS_URL || !config.DATABASE_URL) {
    try {
      lock = acquireDataDirLock(config.DATA_DIR);
    } catch (err) {
      if (err instanceof DataDirInUseError) cannotStart(err.message);
      throw err;
    }
  }

  // Servers we are pointed at must answer now: failing here, in one line, beats retrying forever with a root key spent.
  try {
    await Promise.all([
      config.REDIS_URL ? waitForRedisReachable(config.REDIS_URL, config.STARTUP_DEPENDENCY_TIMEOUT_MS) : undefined,
      config.DATABASE_URL ? waitForPostgresReachable(config.DATABASE_URL, config.STARTUP_DEPENDENCY_TIMEOUT_MS) : undefined,
    ]);
  } catch (err) {
    if (err instanceof DependencyUnreachableError) cannotStart(err.message);
    throw err;
  }

  // Loaded only now: a start refused above (DATA_DIR in use, a server that does not answer) says so at once.
  const { startControlPlane } = await import('../app/control-plane');
  await startControlPlane(config, logger, shutdown);
}

