import { createKraneClient, KraneClient, KraneClientOptions } from './client';
import { KraneDriver } from './driver';
import { ProcessDriver, ProcessDriverOptions } from './drivers/process-driver';
import { startKraneServer } from './server';

export interface EmbeddedKraneOptions extends ProcessDriverOptions, KraneClientOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
}

export interface EmbeddedKrane<D extends KraneDriver = ProcessDriver> {
  url: string;
  /** Connected through the real gRPC server: the embedded Krane is used exactly as a remote one would be. */
  client: KraneClient;
  driver: D;
  /** Closes the client, stops the server, then shuts the driver down (process: its instances stop; docker: containers keep running). */
  stop(): Promise<void>;
}

/**
 * A driver behind a gRPC server on loopback, and a client for it. Used when KRANE_URL is not set. The driver is
 * the process driver built from the options, or the one given (KRANE_DRIVER selects it: `createKraneDriver`).
 */
export async function startEmbeddedKrane(options?: EmbeddedKraneOptions): Promise<EmbeddedKrane<ProcessDriver>>;
export async function startEmbeddedKrane<D extends KraneDriver>(options: EmbeddedKraneOptions & { driver: D }): Promise<EmbeddedKrane<D>>;
export async function startEmbeddedKrane(options: EmbeddedKraneOptions & { driver?: KraneDriver } = {}): Promise<EmbeddedKrane<KraneDriver>> {
  const { port, deadlineMs, driver: given, ...driverOptions } = options;
  const driver = given ?? new ProcessDriver(driverOptions);
  let server;
  try {
    server = await startKraneServer({ driver, host: options.host, port });
  } catch (err) {
    await driver.shutdown();
    throw err;
  }
  const client = createKraneClient(server.url, { deadlineMs });
  const running = server;
  let stopped: Promise<void> | undefined;
  return {
    url: server.url,
    client,
    driver,
    stop: () =>
      (stopped ??= (async () => {
        client.close();
        try {
          await running.stop();
        } finally {
          await driver.shutdown();
        }
      })()),
  };
}
