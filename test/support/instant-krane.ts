import { generateKraneToken } from '../../src/krane/auth';
import { createKraneClient, KraneClient } from '../../src/krane/client';
import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { startKraneServer } from '../../src/krane/server';

/**
 * The instant driver (no start-up: instances are tiny HTTP servers in this process) for tests that run hundreds of
 * deploys and care about the control plane. A deploy whose env has `FAIL_HEALTH=1` never gets a healthy instance
 * (Krane reports it `pending`), as an app that never passes its health check.
 */
export async function startInstantKrane(): Promise<{ driver: InstantDriver; client: KraneClient; url: string; stop(): Promise<void> }> {
  const driver = new InstantDriver({ readiness: (spec) => (spec.env?.FAIL_HEALTH === '1' ? 'never-ready' : 'ready') });
  const token = generateKraneToken();
  const server = await startKraneServer({ driver, token });
  const client = createKraneClient(server.url, { token });
  return {
    driver,
    client,
    url: server.url,
    async stop() {
      client.close();
      await server.stop();
      await driver.shutdown();
    },
  };
}
