import type { KraneClient } from '../krane/client';

export class KraneNotUsedError extends Error {}

/**
 * The engine façade wants a Krane client, but the enqueue script only puts flows on the queues: the workers that run
 * them talk to Krane. Reaching Krane from the script would be a bug, so every call fails loudly.
 */
export const kraneNotUsedByScript: KraneClient = {
  create: async () => {
    throw new KraneNotUsedError('the enqueue script does not call Krane (CreateDeployment): workers do');
  },
  get: async () => {
    throw new KraneNotUsedError('the enqueue script does not call Krane (GetDeployment): workers do');
  },
  delete: async () => {
    throw new KraneNotUsedError('the enqueue script does not call Krane (DeleteDeployment): workers do');
  },
  close: () => undefined,
};
