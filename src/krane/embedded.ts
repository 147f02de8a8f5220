import { createKraneClient, KraneClient, KraneClientOptions } from './client';
import { ProcessDriver, ProcessDriverOptions } from './drivers/process-driver';
import { startKraneServer } from './server';

export interface EmbeddedKraneOptions extends ProcessDriverOptions, KraneClientOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
}

export interface EmbeddedKrane {
  url: string;
  /** Connected through the real gRPC server: the embedded Krane is used exactly as a remote one would be. */
  client: KraneClient;
  driver: ProcessDriver;
  /** Closes the client, stops the server, then stops every instance the driver started. */
  stop(): Promise<void>;
}

/** The process driver behind a gRPC server on loopback, and a client for it. Used when KRANE_URL is not set. */
export async function startEmbeddedKrane(options: EmbeddedKraneOptions = {}): Promise<EmbeddedKrane> {
  const { port, deadlineMs, ...driverOptions } = options;
  const driver = new ProcessDriver(driverOptions);
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
