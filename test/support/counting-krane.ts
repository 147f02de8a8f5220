import type { KraneDriver } from '../../src/krane/driver';
import { ProcessDriver } from '../../src/krane/drivers/process-driver';
import { generateKraneToken } from '../../src/krane/auth';
import { startKraneServer } from '../../src/krane/server';
import { REPO_ROOT } from './engine-harness';

/** A real Krane (process driver behind the gRPC server) that counts the calls it receives, for "created exactly once" proofs. */
export async function startCountingKrane() {
  const driver = new ProcessDriver({ rootDir: REPO_ROOT, gracePeriodMs: 2_000, healthIntervalMs: 50 });
  const calls = { create: 0, get: 0, delete: 0 };
  const counting: KraneDriver = {
    create: (spec) => (calls.create++, driver.create(spec)),
    get: (ns, id) => (calls.get++, driver.get(ns, id)),
    delete: (ns, id) => (calls.delete++, driver.delete(ns, id)),
    logs: driver.logs?.bind(driver),
    shutdown: () => driver.shutdown(),
  };
  const token = generateKraneToken();
  const server = await startKraneServer({ driver: counting, token });
  return {
    url: server.url,
    token,
    driver,
    calls,
    async stop() {
      await server.stop();
      await driver.shutdown();
    },
  };
}
