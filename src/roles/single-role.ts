import type { Config } from '../config';
import { createLogger } from '../logger';
import { DependencyUnreachableError, waitForPostgresReachable, waitForRedisReachable } from '../services/dependency-preflight';
import { Shutdown } from '../services/shutdown';
import { DEFAULT_HEALTH_PORT } from './ports';
import type { Role } from './role';
import { missingSharedServices, missingSharedServicesMessage } from './shared-services';

export type SingleRole = Exclude<Role, 'all' | 'krane'>;

/** A start failure the operator can act on: said in one line, nothing else printed. */
function cannotStart(role: SingleRole, message: string, exitCode: number): never {
  console.error(`deployflow ${role}: cannot start: ${message}`);
  process.exit(exitCode);
}

/**
 * `--role api | gateway | worker`: one part of the control plane, pointed at the Redis, PostgreSQL (and, for workers,
 * the Krane) every other role uses. Checked before anything is opened: the variables it needs (exit 2 naming each
 * missing one) and that those servers answer (exit 1 naming the one that does not). SIGTERM/SIGINT/SIGHUP stop it
 * within SHUTDOWN_TIMEOUT_MS; a second signal stops at once.
 */
export async function runSingleRole(role: SingleRole, config: Config): Promise<void> {
  const missing = missingSharedServices(role, config);
  if (missing.length > 0) cannotStart(role, missingSharedServicesMessage(role, missing), 2);
  // Checked just above: every role here needs both.
  const shared = { ...config, REDIS_URL: config.REDIS_URL!, DATABASE_URL: config.DATABASE_URL! };

  const logger = createLogger(config.LOG_LEVEL, { service: `deployflow-${role}`, pid: process.pid }, { format: config.LOG_FORMAT });
  const shutdown = new Shutdown({ logger, deadlineMs: config.SHUTDOWN_TIMEOUT_MS });
  shutdown.install();
  try {
    await Promise.all([
      waitForRedisReachable(shared.REDIS_URL, config.STARTUP_DEPENDENCY_TIMEOUT_MS),
      waitForPostgresReachable(shared.DATABASE_URL, config.STARTUP_DEPENDENCY_TIMEOUT_MS),
    ]);
  } catch (err) {
    if (err instanceof DependencyUnreachableError) cannotStart(role, err.message, 1);
    throw err;
  }

  try {
    // Loaded only now: a start refused above says so at once.
    if (role === 'api') {
      const { startApiRole } = await import('./api-role');
      await startApiRole(shared, logger, shutdown);
    } else if (role === 'gateway') {
      const { startGatewayRole } = await import('./gateway-role');
      await startGatewayRole({ ...shared, healthPort: config.HEALTH_PORT ?? DEFAULT_HEALTH_PORT.gateway }, logger, shutdown);
    } else {
      // ENGINE_SETTINGS (JSON) overrides engine tunables, e.g. '{"pollIntervalMs":100}' (tests, benchmarks).
      const overrides = process.env.ENGINE_SETTINGS ? JSON.parse(process.env.ENGINE_SETTINGS) : {};
      const { startWorkerRole } = await import('./worker-role');
      const worker = { ...shared, KRANE_URL: config.KRANE_URL!, KRANE_TOKEN: config.KRANE_TOKEN!, healthPort: config.HEALTH_PORT ?? DEFAULT_HEALTH_PORT.worker };
      await startWorkerRole(worker, logger, shutdown, overrides);
    }
  } catch (err) {
    if (shutdown.inProgress) return;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      // A port taken by another process: one line naming it (a second worker on one machine needs its own HEALTH_PORT).
      console.error(`deployflow ${role}: cannot start: ${(err as Error).message}; ports: HEALTH_PORT (0 picks a free one), API_PORT, GRPC_PORT, GATEWAY_PORT`);
    } else {
      logger.error('start failed', { error: (err as Error).stack ?? String(err) });
    }
    await shutdown.run('start failed', 1);
  }
}
