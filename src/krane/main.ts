import path from 'node:path';
import { ProcessDriver } from './drivers/process-driver';
import { startKraneServer } from './server';

/**
 * `npm run krane`: a standalone Krane with the process driver. KRANE_HOST (default 127.0.0.1), KRANE_PORT
 * (default 50052), KRANE_ROOT_DIR (where relative `file:` images resolve; default the working directory),
 * KRANE_IMAGES_DIR (the only directory images may come from; default `examples` under KRANE_ROOT_DIR).
 * SIGTERM / SIGINT stop every instance, then the process exits.
 */
async function main(): Promise<void> {
  const host = process.env.KRANE_HOST || '127.0.0.1';
  const port = parsePort(process.env.KRANE_PORT, 50052);
  const rootDir = process.env.KRANE_ROOT_DIR || process.cwd();
  const driver = new ProcessDriver({ rootDir, imagesDir: path.resolve(rootDir, process.env.KRANE_IMAGES_DIR || 'examples') });
  const server = await startKraneServer({ driver, host, port });
  console.log(`krane listening on ${server.url} (process driver)`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`krane: ${signal}, stopping every instance`);
    let exitCode = 0;
    try {
      await server.stop();
    } catch (err) {
      console.error(`krane: stopping the server failed: ${err instanceof Error ? err.message : String(err)}`);
      exitCode = 1;
    }
    try {
      await driver.shutdown();
    } catch (err) {
      console.error(`krane: stopping instances failed: ${err instanceof Error ? err.message : String(err)}`);
      exitCode = 1;
    }
    process.exit(exitCode);
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
}

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`KRANE_PORT must be a port number (0-65535), got ${JSON.stringify(value)}`);
  }
  return port;
}

main().catch((err) => {
  console.error(`krane: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
