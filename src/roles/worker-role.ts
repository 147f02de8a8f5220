import { createDeployflowEngine } from '../app/deployflow-engine';
import type { Settings } from '../app/settings';
import { createKraneClient } from '../krane/client';
import type { Logger } from '../logger';
import { createDeployflowMetrics } from '../metrics/deployflow-metrics';
import type { Shutdown } from '../services/shutdown';
import { StartupState } from '../services/startup-state';
import { startHealthServer } from './health-server';
import { openSharedConnections, type SharedConfig } from './shared-connections';

export type WorkerConfig = SharedConfig & { KRANE_URL: string; KRANE_TOKEN: string; healthPort: number };

/**
 * `--role worker` (and `npm run worker`): the engine's workers for every queue and flow, against shared Redis,
 * PostgreSQL and Krane; run as many as you like. Health on HEALTH_PORT (ready once the workers run and Redis and
 * PostgreSQL answer), with this worker's metrics (steps, operations, the process) at /metrics there. It serves no API
 * and no gateway.
 */
export async function startWorkerRole(config: WorkerConfig, logger: Logger, shutdown: Shutdown, overrides: Partial<Settings>): Promise<void> {
  const startup = new StartupState('starting the workers');
  const shared = await openSharedConnections(config, logger, shutdown);
  // The engine reports its steps and operations here; served as GET /metrics on the health port.
  const metrics = createDeployflowMetrics();
  const healthServer = await startHealthServer({
    role: 'worker',
    host: config.HOST,
    port: config.healthPort,
    checks: shared.checks,
    startup,
    metrics: { render: () => metrics.registry.metrics(), contentType: metrics.registry.contentType },
  });
  shutdown.add('health server', () => healthServer.close(), 1_000);
  const krane = createKraneClient(config.KRANE_URL, { token: config.KRANE_TOKEN });
  shutdown.add('krane client', () => krane.close());
  const engine = createDeployflowEngine({ ...shared.ctx, metrics }, krane, overrides, config.REDIS_URL);
  // Redis gone: jobs in flight can neither finish nor be waited for; they stall and run again on another worker.
  shutdown.add('workers', () => engine.close({ force: shared.health.isDown('redis') || shared.redis.status !== 'ready' }));
  if (shutdown.inProgress) return;
  engine.startWorkers();
  startup.done();
  logger.info('workers started', { role: 'worker', concurrency: config.WORKER_CONCURRENCY, health: `http://${config.HOST}:${healthServer.port}` });
}
