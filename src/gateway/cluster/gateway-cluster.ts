import cluster, { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import path from 'node:path';
import type { LogLevel } from '../../logger';
import { silentLogger } from '../../logger';
import { freePort } from '../../services/free-port';
import { isInfrastructureOutage } from '../../engine/infrastructure-outage';
import type { DependencyHealth } from '../../services/dependency-health';
import type { GatewayFleet } from '../gateway-fleet';
import type { GatewayListenOptions } from '../gateway-process';
import { GatewayProcessMetrics, GatewayProcessStats, GatewayWorkerConfig, isMessage, PrimaryMessage, WORKER_CONFIG_ENV, WorkerMessage } from './messages';

export interface GatewayClusterOptions extends GatewayListenOptions {
  processes: number;
  /** The workers' own log level (their lines go to this process's stderr). Default warn. */
  logLevel?: LogLevel;
  /** The control plane's dependency health: workers report their Redis connection failures to it. */
  health?: DependencyHealth;
  /** How long a worker may take to load its routes and listen. Default 30 s. */
  startTimeoutMs?: number;
}

const RESTART_DELAY_MS = 1_000;
const STATS_TIMEOUT_MS = 2_000;
const RESYNC_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/**
 * A proxied request leaves ~20 KB of short-lived garbage (Node's request and response objects, undici's request,
 * header lists): with V8's default young generation (16 MB semi-spaces) a worker under load scavenges every ~600
 * requests, each a pause of ~1 ms for every request in flight. A scavenge costs what survives it, not what it frees, so
 * semi-spaces of 32 MB scavenge about a quarter as often for the same work per scavenge: less CPU per request and fewer
 * pauses in the tail, for ~32 MB more memory per worker. The operator's own flag wins.
 */
const WORKER_SEMI_SPACE_MB = 32;

/** The worker entry next to this file, with a TypeScript loader when this code itself runs from TypeScript. */
function workerEntry(): { exec: string; execArgv: string[] } {
  const extension = path.extname(__filename);
  const exec = path.join(__dirname, `worker${extension}`);
  // Debugger flags would make every worker try to bind the parent's inspector port.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--inspect') && !arg.startsWith('--debug'));
  if (extension === '.ts' && !execArgv.some((arg) => arg.includes('tsx'))) execArgv.push('--import', 'tsx');
  if (!execArgv.some((arg) => arg.includes('semi-space-size')) && !(process.env.NODE_OPTIONS ?? '').includes('semi-space-size')) {
    execArgv.push(`--min-semi-space-size=${WORKER_SEMI_SPACE_MB}`, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
  }
  return { exec, execArgv };
}

/**
 * Every worker accepts its connections from the shared listening socket itself, not from the primary.
 * With node:cluster's default (round robin) the primary, which is the control plane, accepts every connection and
 * hands it to a worker, one at a time per worker, waiting for the worker's acknowledgement before the next. A worker
 * out of file descriptors (a flood of held connections) cannot receive the handed socket and never acknowledges it:
 * the primary then queues every later connection for ever, and the gateway served nothing again, on any host, after
 * the flood had ended, while the control plane itself filled up with those sockets until its API stopped answering.
 * A worker accepting on its own sheds what it cannot take (libuv closes connections it has no descriptor for) and
 * serves again as soon as descriptors are free, and the control plane holds none of the gateway's connections.
 * Throughput through the gateway measured the same either way (`npm run bench -- --only gateway`).
 */
const SCHEDULING_POLICY = cluster.SCHED_NONE;

/**
 * The gateway on every core: `processes` workers forked with node:cluster, all accepting on one port (each accepts
 * new connections from the shared socket itself: SCHEDULING_POLICY). Each worker keeps its own route table current
 * from its own Redis subscription; full loads are answered here from `source`. A worker that dies is forked again.
 */
export async function startGatewayCluster(options: GatewayClusterOptions): Promise<GatewayFleet> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  // A concrete port: workers that all ask for port 0 would share one random port, but so would a second cluster
  // started in this process (node:cluster keys listening handles by address and port).
  const port = options.port === 0 ? await freePort(host) : options.port;
  const config: GatewayWorkerConfig = {
    redisUrl: options.redisUrl,
    prefix: options.prefix,
    host,
    port,
    resyncMs: options.resyncMs,
    connectTimeoutMs: options.connectTimeoutMs,
    upstreamTimeoutMs: options.upstreamTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs,
    apex: options.apex,
    logLevel: options.logLevel ?? 'warn',
    relayHealth: options.health !== undefined,
  };
  const entry = workerEntry();
  const workers = new Set<Worker>();
  let closing = false;
  let nextRequestId = 0;
  const statsWaiters = new Map<number, (stats: GatewayProcessStats) => void>();
  const resyncWaiters = new Map<number, (replaced: boolean) => void>();
  const metricsWaiters = new Map<number, (metrics: GatewayProcessMetrics) => void>();

  /** Asks every connected worker the same question; the answer of one that is silent for `timeoutMs` is undefined. */
  const askEveryWorker = <T>(waiters: Map<number, (answer: T) => void>, type: 'gateway:stats?' | 'gateway:resync' | 'gateway:metrics?', timeoutMs: number) =>
    Promise.all(
      [...workers]
        .filter((worker) => worker.isConnected())
        .map(
          (worker) =>
            new Promise<T | undefined>((resolve) => {
              const id = ++nextRequestId;
              const timer = setTimeout(() => {
                waiters.delete(id);
                resolve(undefined);
              }, timeoutMs);
              waiters.set(id, (answer) => {
                waiters.delete(id);
                clearTimeout(timer);
                resolve(answer);
              });
              worker.send({ type, id } satisfies PrimaryMessage);
            }),
        ),
    );

  const answerLoad = async (worker: Worker, id: number, deploymentIds: string[] | undefined) => {
    let reply: PrimaryMessage;
    try {
      const data = deploymentIds ? await options.source.loadInstances(deploymentIds) : await options.source.loadAll();
      reply = { type: 'gateway:loaded', id, ok: true, data };
    } catch (err) {
      // A database that is not there is an outage the health tracker logs once (its probe confirms it at once);
      // the worker then keeps its reload failure to debug level instead of logging an error per worker and reload.
      const { health } = options;
      const infrastructure = isInfrastructureOutage(err);
      if (health && infrastructure) health.reportDown('database', err);
      // Its probe confirms the outage a moment later; the failure is already known to be one.
      const outage = health ? infrastructure || health.isDown('database') || health.isDown('redis') : false;
      reply = { type: 'gateway:loaded', id, ok: false, error: (err as Error).message, outage };
    }
    if (worker.isConnected()) worker.send(reply);
  };

  const fork = (): Promise<Worker> =>
    new Promise<Worker>((resolve, reject) => {
      // Settings are global to node:cluster: set them right before each fork (the policy is fixed by the process's
      // first setupPrimary, which is this one: nothing else here forks through node:cluster).
      cluster.schedulingPolicy = SCHEDULING_POLICY;
      cluster.setupPrimary({ exec: entry.exec, execArgv: entry.execArgv });
      const worker = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify(config) });
      workers.add(worker);
      let ready = false;
      const timer = setTimeout(() => {
        if (ready) return;
        worker.process.kill('SIGKILL');
        reject(new Error(`gateway worker ${worker.process.pid} did not start within ${options.startTimeoutMs ?? 30_000} ms`));
      }, options.startTimeoutMs ?? 30_000);
      worker.on('message', (message: WorkerMessage) => {
        if (isMessage<Extract<WorkerMessage, { type: 'gateway:load' }>>(message, 'gateway:load')) void answerLoad(worker, message.id, message.deploymentIds);
        else if (isMessage<Extract<WorkerMessage, { type: 'gateway:stats' }>>(message, 'gateway:stats')) statsWaiters.get(message.id)?.(message.stats);
        else if (isMessage<Extract<WorkerMessage, { type: 'gateway:resynced' }>>(message, 'gateway:resynced')) resyncWaiters.get(message.id)?.(message.replaced);
        else if (isMessage<Extract<WorkerMessage, { type: 'gateway:metrics' }>>(message, 'gateway:metrics')) metricsWaiters.get(message.id)?.(message.metrics);
        else if (isMessage<Extract<WorkerMessage, { type: 'gateway:redis-down' }>>(message, 'gateway:redis-down')) options.health?.reportDown('redis', new Error(message.error));
        else if (isMessage<Extract<WorkerMessage, { type: 'gateway:ready' }>>(message, 'gateway:ready')) {
          ready = true;
          clearTimeout(timer);
          resolve(worker);
        } else if (isMessage<Extract<WorkerMessage, { type: 'gateway:failed' }>>(message, 'gateway:failed')) {
          clearTimeout(timer);
          reject(new Error(`gateway worker failed to start: ${message.error}`));
        }
      });
      worker.on('exit', (code, signal) => {
        workers.delete(worker);
        clearTimeout(timer);
        if (!ready) {
          reject(new Error(`gateway worker exited at start (${signal ?? code})`));
          return;
        }
        if (closing) return;
        logger.error('gateway worker died; starting another', { pid: worker.process.pid, code, signal });
        setTimeout(() => {
          if (!closing) fork().catch((err: Error) => logger.error('restarting a gateway worker failed', { error: err.message }));
        }, RESTART_DELAY_MS).unref();
      });
    });

  const stopAll = async () => {
    closing = true;
    await Promise.all(
      [...workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) {
              resolve();
              return;
            }
            const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
            worker.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            if (worker.isConnected()) worker.send({ type: 'gateway:shutdown' } satisfies PrimaryMessage);
            else worker.process.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    await Promise.all(Array.from({ length: options.processes }, fork));
  } catch (err) {
    await stopAll();
    throw err;
  }
  logger.info('gateway listening', { host, port, processes: options.processes });

  let stopped: Promise<void> | undefined;
  return {
    port,
    processes: options.processes,
    async stats() {
      const answers = await askEveryWorker(statsWaiters, 'gateway:stats?', STATS_TIMEOUT_MS);
      return answers.filter((s): s is GatewayProcessStats => s !== undefined);
    },
    async resync() {
      // A reload is bounded inside the worker (its resync timeout); the timeout here only guards against a worker that died.
      return (await askEveryWorker(resyncWaiters, 'gateway:resync', RESYNC_TIMEOUT_MS)).every((replaced) => replaced === true);
    },
    async metrics() {
      // Each worker counts what it served; a scrape sees their sum (a worker that does not answer in time is left out).
      const answers = await askEveryWorker(metricsWaiters, 'gateway:metrics?', STATS_TIMEOUT_MS);
      return AggregatorRegistry.aggregate(answers.filter((m): m is GatewayProcessMetrics => m !== undefined)).metrics();
    },
    close: () => (stopped ??= stopAll()),
  };
}
