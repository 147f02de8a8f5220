import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { requestSwitch } from '../src/operations/request-switch';
import { assertSucceeded, BenchEngine, FLOW_TIMEOUT_MS, untilOperationFails } from './bench-engine';
import type { PollerInput, PollerMessage, WatchRequest } from './gateway-poller';

export interface GatewayPoller {
  /**
   * Starts polling `host`; once the first answer is in, calls `trigger` and resolves with when the target was first
   * served, as performance.timeOrigin + performance.now().
   */
  watch(host: string, target: string, trigger: () => Promise<void>): Promise<{ servedAt: number; polls: number }>;
  close(): Promise<void>;
}

export function startGatewayPoller(gatewayPort: number, intervalMs = 1): GatewayPoller {
  const worker = new Worker(path.join(__dirname, 'gateway-poller.ts'), {
    workerData: { port: gatewayPort, intervalMs } satisfies PollerInput,
    // The worker is TypeScript too. `--import tsx` does not reach worker threads on Node 20; tsx's CommonJS hook does.
    execArgv: ['--require', require.resolve('tsx/cjs')],
  });
  let nextId = 0;
  return {
    watch(host, target, trigger) {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(() => done(new Error(`the gateway did not serve ${target} on ${host} within ${FLOW_TIMEOUT_MS} ms`)), FLOW_TIMEOUT_MS);
        const onMessage = (message: PollerMessage) => {
          if (message.id !== id) return;
          if (message.type === 'error') done(new Error(`gateway poller: ${message.message}`));
          else if (message.type === 'served') done(undefined, { servedAt: message.at, polls: message.polls });
          else if (message.servedBy === target) done(new Error(`${host} already served ${target} before the switch was requested`));
          else trigger().catch((err: Error) => done(err));
        };
        const onError = (err: Error) => done(err);
        const done = (err?: Error, value?: { servedAt: number; polls: number }) => {
          clearTimeout(deadline);
          worker.off('message', onMessage);
          worker.off('error', onError);
          if (err) reject(err);
          else resolve(value!);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.postMessage({ id, host, target } satisfies WatchRequest);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

export interface SwitchMeasurement {
  kind: 'rollback' | 'promote';
  /** requestSwitch called → first response from the target on the live hostname. */
  toTrafficMs: number;
  /** requestSwitch called → root job completed (operation succeeded). */
  toSucceededMs: number;
  polls: number;
}

/**
 * One rollback or promote between two ready deployments, timed twice from the same start: until the gateway serves
 * the target on the live hostname, and until the operation succeeded.
 */
export async function measureSwitch(
  bench: BenchEngine,
  poller: GatewayPoller,
  input: { kind: 'rollback' | 'promote'; projectId: string; liveHost: string; target: string },
): Promise<SwitchMeasurement> {
  const { prisma, engine, watch, caller } = bench;
  let startedAt = 0;
  let operation: Promise<{ operationId: string; completedAt: number }> | undefined;
  // A failed operation never brings the target to the gateway: end the wait for traffic as soon as it is known.
  let operationFailed!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => (operationFailed = reject));
  failed.catch(() => undefined);
  let requested: Promise<void> | undefined;
  const served = await Promise.race([
    poller.watch(input.liveHost, input.target, () => {
      startedAt = performance.timeOrigin + performance.now();
      const started = performance.now();
      requested = (async () => {
        const { operationId } = await requestSwitch({ prisma, enqueue: engine.enqueue }, caller, { kind: input.kind, projectId: input.projectId, targetDeploymentId: input.target });
        operation = watch.wait(operationId, untilOperationFails(prisma, operationId)).then((completed) => ({ operationId, completedAt: completed - started }));
        operation.catch(operationFailed);
      })();
      return requested;
    }),
    failed,
  ]);
  // The gateway can serve the target before requestSwitch has returned here (the flow runs as soon as it is added).
  await requested;
  const op = await operation!;
  await assertSucceeded(prisma, op.operationId);
  return { kind: input.kind, toTrafficMs: served.servedAt - startedAt, toSucceededMs: op.completedAt, polls: served.polls };
}

/** Before the first switch: the gateway has loaded the live hostname and serves `deploymentId` there (bounded). */
export async function waitUntilServed(gatewayPort: number, host: string, deploymentId: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const answer = await new Promise<{ status: number; servedBy: unknown }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: gatewayPort, path: '/', headers: { host } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, servedBy: res.headers['x-deployment-id'] }));
        });
        req.on('error', reject);
        req.end();
      });
      if (answer.status === 200 && answer.servedBy === deploymentId) return;
      last = `${answer.status} from ${String(answer.servedBy)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the gateway did not serve ${deploymentId} on ${host} within ${timeoutMs} ms (last: ${last})`);
}
