import type { KraneClient } from '../src/krane/client';
import { InstantDriver } from '../src/krane/drivers/instant-driver';
import { startEmbeddedKrane } from '../src/krane/embedded';
import type { Cleanup } from './cleanup';

/** The instant driver behind a real Krane gRPC server on loopback: the engine reaches it as it reaches any Krane. */
export async function startInstantKrane(cleanup: Cleanup): Promise<{ client: KraneClient; driver: InstantDriver }> {
  const krane = await startEmbeddedKrane({ driver: new InstantDriver() });
  cleanup.add('instant Krane', () => krane.stop());
  return { client: krane.client, driver: krane.driver };
}
