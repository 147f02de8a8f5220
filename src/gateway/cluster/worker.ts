/**
 * A gateway worker process (forked by gateway-cluster.ts through node:cluster, so every worker accepts on the same
 * port). It serves from its own route table: full loads come from the primary over IPC, route changes from its own
 * Redis subscription. It stops when the primary asks it to, or when the primary is gone.
 */
import { createLogger } from '../../logger';
import { runGatewayProcess, GatewayProcess } from '../gateway-process';
import { healthRelay } from './health-relay';
import { ipcRouteSource } from './ipc-route-source';
import { GatewayWorkerConfig, isMessage, PrimaryMessage, WORKER_CONFIG_ENV, WorkerMessage } from './messages';

const send = (message: WorkerMessage) => process.send?.(message);

async function main(): Promise<void> {
  const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? '{}') as GatewayWorkerConfig;
  const logger = createLogger(config.logLevel, { service: 'deployflow', component: 'gateway', pid: process.pid });
  const source = ipcRouteSource();
  let gateway: GatewayProcess | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (code: number) => {
    stopping ??= (async () => {
      try {
        await gateway?.close();
      } catch (err) {
        logger.warn('gateway worker did not stop cleanly', { error: (err as Error).message });
      }
      source.close();
      process.exit(code);
    })();
  };
  process.on('message', (message: unknown) => {
    if (isMessage<PrimaryMessage>(message, 'gateway:shutdown')) stop(0);
    else if (isMessage<Extract<PrimaryMessage, { type: 'gateway:stats?' }>>(message, 'gateway:stats?') && gateway) {
      send({ type: 'gateway:stats', id: message.id, stats: gateway.stats() });
    } else if (isMessage<Extract<PrimaryMessage, { type: 'gateway:metrics?' }>>(message, 'gateway:metrics?') && gateway) {
      const { id } = message;
      void gateway.metrics.registry.getMetricsAsJSON().then((metrics) => send({ type: 'gateway:metrics', id, metrics }));
    } else if (isMessage<Extract<PrimaryMessage, { type: 'gateway:resync' }>>(message, 'gateway:resync') && gateway) {
      const { id } = message;
      void gateway.sync.resync().then((replaced) => send({ type: 'gateway:resynced', id, replaced }));
    }
  });
  // The primary went away (crashed or killed): nobody supervises this process any more.
  process.on('disconnect', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => undefined);

  try {
    gateway = await runGatewayProcess({
      redisUrl: config.redisUrl,
      prefix: config.prefix,
      source,
      port: config.port,
      host: config.host,
      resyncMs: config.resyncMs,
      connectTimeoutMs: config.connectTimeoutMs,
      upstreamTimeoutMs: config.upstreamTimeoutMs,
      headersTimeoutMs: config.headersTimeoutMs,
      apex: config.apex,
      logger,
      health: config.relayHealth ? healthRelay((error) => send({ type: 'gateway:redis-down', error }), source.inOutage) : undefined,
    });
  } catch (err) {
    send({ type: 'gateway:failed', error: (err as Error).message });
    stop(1);
    return;
  }
  send({ type: 'gateway:ready', port: gateway.port });
}

void main();
