import { createKraneClient, KraneClient } from '../src/krane/client';
import { InstantDriver } from '../src/krane/drivers/instant-driver';
import { startKraneServer } from '../src/krane/server';
import type { Cleanup } from './cleanup';

/** The instant driver behind a real Krane gRPC server on loopback: the engine reaches it as it reaches any Krane. */
export async function startInstantKrane(cleanup: Cleanup): Promise<{ client: KraneClient; driver: InstantDriver }> {
  const driver = new InstantDriver();
  const server = await startKraneServer({ driver });
  const client = createKraneClient(server.url);
  cleanup.add('instant Krane', async () => {
    client.close();
    try {
      await server.stop();
    } finally {
      await driver.shutdown();
    }
  });
  return { client, driver };
}
