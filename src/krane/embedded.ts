import { generateKraneToken } from './auth';
import { createKraneClient, KraneClient, KraneClientOptions } from './client';
import { KraneDriver } from './driver';
import { ProcessDriver, ProcessDriverOptions } from './drivers/process-driver';
import { startKraneServer } from './server';

export interface EmbeddedKraneOptions extends ProcessDriverOptions, Omit<KraneClientOptions, 'token'> {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
}

export interface EmbeddedKrane<D extends KraneDriver = ProcessDriver> {
  url: string;
  /**
   * Drawn at random for this start; the server refuses calls without it. Only for processes the owner trusts with
   * it (e.g. worker processes sharing this Krane, as KRANE_TOKEN); never logged.
   */
  token: string;
  /** Connected through the real gRPC server: the embedded Krane is used exactly as a remote one would be. */
  client: KraneClient;
  driver: D;
  /** Closes the client, stops the server, then shuts the driver down (process: its instances stop; docker: containers keep running). */
  stop(): Promise<void>;
}

/**
 * A driver behind a gRPC server on loopback, and a client for it. Used when KRANE_URL is not set. The driver is
 * the process driver built from the options, or the one given (KRANE_DRIVER selects it: `createKraneDriver`). The
 * server requires a token drawn at random here, which only the client gets: other local processes cannot call it.
 */
export async function startEmbeddedKrane(options?: EmbeddedKraneOptions): Promise<EmbeddedKrane<ProcessDriver>>;
export async function startEmbeddedKrane<D extends KraneDriver>(options: EmbeddedKraneOptions & { driver: D }): Promise<EmbeddedKrane<D>>;
export async function startEmbeddedKrane(options: EmbeddedKraneOptions & { driver?: KraneDriver } = {}): Promise<EmbeddedKrane<KraneDriver>> {
  const { port, deadlineMs, driver: given, ...driverOptions } = options;
  const driver = given ?? new ProcessDriver(driverOptions);
  const token = generateKraneToken();
  let server;
  try {
    server = await startKraneServer({ driver, host: options.host, port, token });
  } catch (err) {
    await driver.shutdown();
    throw err;
  }
  const client = createKraneClient(server.url, { token, deadlineMs });
  const running = server;
  let stopped: Promise<void> | undefined;
  return {
    url: server.url,
    token,
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
