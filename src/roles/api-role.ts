import { ensureRootKey } from '../auth/api-key';
import { createDeployflowProducer } from '../app/deployflow-engine';
import { RECONCILE_JOB } from '../app/reconciler';
import { serveApi } from '../app/serve-api';
import type { Logger } from '../logger';
import { createDeployflowMetrics } from '../metrics/deployflow-metrics';
import type { Shutdown } from '../services/shutdown';
import { StartupState } from '../services/startup-state';
import { openSharedConnections, type SharedConfig } from './shared-connections';

/**
 * `--role api`: the HTTP API (with /docs, the dashboard, /readyz) and gRPC, against shared Redis and PostgreSQL. It
 * starts operations (the engine's producer side) and runs none: no workers, no gateway, no Krane. It registers the
 * reconciler's schedule (idempotent, kept in Redis), which the workers run. Any number of API processes may run.
 */
export async function startApiRole(config: SharedConfig, logger: Logger, shutdown: Shutdown): Promise<void> {
  const startup = new StartupState();
  const shared = await openSharedConnections(config, logger, shutdown);
  // GET /metrics: requests and queue depths (no steps run here: each worker serves its own on its health port).
  const ctx = { ...shared.ctx, startup, metrics: createDeployflowMetrics() };
  const engine = createDeployflowProducer(ctx);
  shutdown.add('queues', () => engine.close(), 2_000);
  await engine.schedule(RECONCILE_JOB, config.RECONCILE_EVERY_MS);

  const { grpcPort } = await serveApi(ctx, engine.producer, config, shutdown);
  if (shutdown.inProgress) return;

  // Only once every port is ours: a start that fails earlier must not have spent the one showing of the key.
  const root = await ensureRootKey(shared.db.prisma, config.ROOT_API_KEY);
  if (root.key) console.log(`\nRoot API key (shown once, keep it): ${root.key}\n`);
  startup.done();
  logger.info('deployflow api is ready', { role: 'api', api: `http://${config.HOST}:${config.API_PORT}`, grpc: `${config.HOST}:${grpcPort}` });
}
