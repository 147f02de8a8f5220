import type { Db } from '../db/prisma';
import type { Config } from '../config';
import { startGatewayProcesses } from '../gateway';
import type { Logger } from '../logger';
import type { DependencyHealth } from '../services/dependency-health';
import type { Shutdown } from '../services/shutdown';

/** The gateway as the configuration asks for it, for `npm start` and `--role gateway`; its stop is registered. */
export async function serveGateway(
  config: Config,
  deps: { redisUrl: string; prisma: Db; logger: Logger; health: DependencyHealth },
  shutdown: Shutdown,
): ReturnType<typeof startGatewayProcesses> {
  const gateway = await startGatewayProcesses({
    redisUrl: deps.redisUrl,
    prefix: config.QUEUE_PREFIX,
    prisma: deps.prisma,
    port: config.GATEWAY_PORT,
    host: config.HOST,
    resyncMs: config.GATEWAY_RESYNC_MS,
    apex: config.APEX_DOMAIN,
    processes: config.GATEWAY_PROCESSES,
    logger: deps.logger,
    logLevel: config.LOG_LEVEL,
    health: deps.health,
    metricsPort: config.GATEWAY_METRICS_PORT,
  });
  // The gateway itself gives requests in flight up to 2 s (gateway-server.ts closeGraceMs) and its worker processes
  // then exit: a step timeout of 2 s raced that grace and, on a busy machine, turned a clean stop into exit code 1.
  shutdown.add('gateway', () => gateway.close(), 4_000);
  return gateway;
}
