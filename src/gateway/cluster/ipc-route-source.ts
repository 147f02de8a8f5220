import type { RouteSnapshot, RouteSource } from '../route-source';
import { isMessage, PrimaryMessage, WorkerMessage } from './messages';

/**
 * A gateway worker's route source: the primary process holds the database client (which may be an embedded
 * PGlite only it can open) and answers the loads over IPC. Route changes do not come this way: each worker has its
 * own Redis subscription, so a switch reaches every process without waiting on the primary.
 */
export function ipcRouteSource(timeoutMs = 15_000): RouteSource & { close(): void; inOutage(): boolean } {
  let next = 0;
  // Whether the primary said its last failed load came during an outage it already reported (and logged).
  let outage = false;
  const pending = new Map<number, { resolve(data: unknown): void; reject(err: Error): void; timer: NodeJS.Timeout }>();
  const onMessage = (message: unknown) => {
    if (!isMessage<Extract<PrimaryMessage, { type: 'gateway:loaded' }>>(message, 'gateway:loaded')) return;
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    clearTimeout(call.timer);
    outage = !message.ok && message.outage;
    if (message.ok) call.resolve(message.data);
    else call.reject(new Error(`route load in the primary failed: ${message.error.split('\n').find((line) => line.trim() !== '') ?? ''}`));
  };
  process.on('message', onMessage);

  const load = <T>(deploymentIds?: string[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the primary did not answer a route load within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer });
      const message: WorkerMessage = { type: 'gateway:load', id, ...(deploymentIds ? { deploymentIds } : {}) };
      process.send!(message, undefined, undefined, (err) => {
        if (!err) return;
        pending.delete(id);
        clearTimeout(timer);
        reject(err);
      });
    });

  return {
    loadAll: () => load<RouteSnapshot>(),
    inOutage: () => outage,
    loadInstances: (deploymentIds) => (deploymentIds.length === 0 ? Promise.resolve({}) : load<Record<string, string[]>>(deploymentIds)),
    close() {
      process.off('message', onMessage);
      for (const call of pending.values()) {
        clearTimeout(call.timer);
        call.reject(new Error('gateway worker is stopping'));
      }
      pending.clear();
    },
  };
}
