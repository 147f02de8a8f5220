import { serve } from '@hono/node-server';
import { createApiApp } from '../api/app';
import { ensureRootKey } from '../auth/api-key';
import { createDeployflowProducer } from '../app/deployflow-engine';
import { createOperationWatcher } from '../app/operation-watcher';
import { RECONCILE_JOB } from '../app/reconciler';
import type { ControlPlaneContext } from '../context';
import { startGrpcServer } from '../grpc';
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

  const watcher = createOperationWatcher(ctx);
  const controlPlane: ControlPlaneContext = { ...ctx, operations: engine.producer, watcher };
  const grpc = await startGrpcServer(controlPlane, { host: config.HOST, port: config.GRPC_PORT });
  shutdown.add('grpc', () => grpc.stop(), 2_000);
  const app = createApiApp(controlPlane);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.API_PORT, hostname: config.HOST }, () => resolve(s));
    s.once('error', reject);
  });
  shutdown.add(
    'http api',
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open event streams would hold close() for minutes: cut them after a grace.
        setTimeout(() => (server as { closeAllConnections?: () => void }).closeAllConnections?.(), 1_500).unref();
      }),
    3_000,
  );
  // Stopped first (stops run in reverse): open waits answer at once instead of holding the servers' close.
  shutdown.add('operation watcher', () => watcher.close(), 1_000);
  if (shutdown.inProgress) return;

  // Only once every port is ours: a start that fails earlier must not have spent the one showing of the key.
  const root = await ensureRootKey(shared.db.prisma, config.ROOT_API_KEY);
  if (root.key) console.log(`\nRoot API key (shown once, keep it): ${root.key}\n`);
  startup.done();
  logger.info('deployflow api is ready', { role: 'api', api: `http://${config.HOST}:${config.API_PORT}`, grpc: `${config.HOST}:${grpc.port}` });
}
