import { serve } from '@hono/node-server';
import { createApiApp } from '../api/app';
import type { Config } from '../config';
import type { AppContext, ControlPlaneContext } from '../context';
import type { OperationProducer } from '../engine';
import { startGrpcServer } from '../grpc';
import type { Shutdown } from '../services/shutdown';
import { createOperationWatcher } from './operation-watcher';

/**
 * The HTTP API and gRPC over one operation watcher, for `npm start` and `--role api`: each registers its stop with
 * `shutdown` as soon as it listens. Resolves with the gRPC port once both listen.
 */
export async function serveApi(ctx: AppContext, operations: OperationProducer, config: Config, shutdown: Shutdown): Promise<{ grpcPort: number }> {
  // One watcher of state events for every waiter of this process (?wait, gRPC waits, event streams).
  const watcher = createOperationWatcher(ctx);
  const controlPlane: ControlPlaneContext = { ...ctx, operations, watcher };
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
        // Open event streams (GET /v1/deployments/:id/events) would hold close() for minutes: cut them after a grace.
        setTimeout(() => (server as { closeAllConnections?: () => void }).closeAllConnections?.(), 1_500).unref();
      }),
    3_000,
  );
  // Stopped first (stops run in reverse): open waits answer at once with what they have, instead of holding the
  // servers' close until their deadline.
  shutdown.add('operation watcher', () => watcher.close(), 1_000);
  return { grpcPort: grpc.port };
}
