import { DeploymentNotFoundError, KraneDriver } from '../../src/krane/driver';
import { ProcessDriver } from '../../src/krane/drivers/process-driver';
import { generateKraneToken } from '../../src/krane/auth';
import { startKraneServer } from '../../src/krane/server';
import { REPO_ROOT } from '../support/engine-harness';

/**
 * A real Krane (process driver behind the gRPC server) that keeps a ledger per deployment: how often CreateDeployment
 * was called, how often it really started something (not ALREADY_EXISTS), and how often it was deleted. A retried
 * create that finds the deployment is harmless; two real creations of one deployment are the bug these tests hunt.
 */
export async function startKraneLedger() {
  const driver = new ProcessDriver({ rootDir: REPO_ROOT, gracePeriodMs: 2_000, healthIntervalMs: 50 });
  const calls = { create: 0, get: 0, delete: 0 };
  const createCalls = new Map<string, number>();
  const created = new Map<string, number>();
  const deleted = new Map<string, number>();
  const bump = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);
  const ledger: KraneDriver = {
    async create(spec) {
      calls.create++;
      bump(createCalls, spec.deploymentId);
      const result = await driver.create(spec);
      if (!result.alreadyExisted) bump(created, spec.deploymentId);
      return result;
    },
    get: (ns, id) => (calls.get++, driver.get(ns, id)),
    async delete(ns, id) {
      calls.delete++;
      await driver.delete(ns, id);
      bump(deleted, id);
    },
    logs: driver.logs?.bind(driver),
    shutdown: () => driver.shutdown(),
  };
  const token = generateKraneToken();
  const server = await startKraneServer({ driver: ledger, token });
  return {
    url: server.url,
    token,
    driver,
    calls,
    createCalls: (id: string) => createCalls.get(id) ?? 0,
    /** Creations that started instances (the driver did not know the deployment yet). */
    creations: (id: string) => created.get(id) ?? 0,
    deletions: (id: string) => deleted.get(id) ?? 0,
    /** Whether Krane still runs the deployment (asked of the driver directly, not through the ledger). */
    async knows(namespace: string, id: string): Promise<boolean> {
      try {
        await driver.get(namespace, id);
        return true;
      } catch (err) {
        if (err instanceof DeploymentNotFoundError) return false;
        throw err;
      }
    },
    async stop() {
      await server.stop();
      await driver.shutdown();
    },
  };
}

export type KraneLedger = Awaited<ReturnType<typeof startKraneLedger>>;
