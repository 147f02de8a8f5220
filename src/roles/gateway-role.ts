import { serveGateway } from '../app/serve-gateway';
import type { Logger } from '../logger';
import type { Shutdown } from '../services/shutdown';
import { StartupState } from '../services/startup-state';
import { startHealthServer } from './health-server';
import { openSharedConnections, type SharedConfig } from './shared-connections';

/**
 * `--role gateway`: the ingress alone. It loads the route table from PostgreSQL and follows route changes on Redis,
 * serving GATEWAY_PORT (GATEWAY_PROCESSES processes sharing it). Its health is on HEALTH_PORT (and its metrics on
 * GATEWAY_METRICS_PORT, when set): every path on the gateway's own port belongs to the deployed apps.
 */
export async function startGatewayRole(config: SharedConfig & { healthPort: number }, logger: Logger, shutdown: Shutdown): Promise<void> {
  const startup = new StartupState('loading the route table');
  const shared = await openSharedConnections(config, logger, shutdown);
  const healthServer = await startHealthServer({ role: 'gateway', host: config.HOST, port: config.healthPort, checks: shared.checks, startup });
  shutdown.add('health server', () => healthServer.close(), 1_000);
  const gateway = await serveGateway(config, { redisUrl: config.REDIS_URL, prisma: shared.db.prisma, logger, health: shared.health }, shutdown);
  if (shutdown.inProgress) return;
  // Resolved once every gateway process has loaded its table: only now can it route.
  startup.done();
  logger.info('deployflow gateway is ready', {
    role: 'gateway',
    gateway: `http://${config.HOST}:${gateway.port}`,
    gatewayProcesses: gateway.processes,
    health: `http://${config.HOST}:${healthServer.port}`,
    gatewayMetrics: gateway.metricsPort === undefined ? undefined : `http://${config.HOST}:${gateway.metricsPort}/metrics`,
  });
}
