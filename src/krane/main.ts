import path from 'node:path';
import { createLogger } from '../logger';
import { Shutdown } from '../services/shutdown';
import { ProcessDriver } from './drivers/process-driver';
import { startKraneServer } from './server';

/**
 * `npm run krane`: a standalone Krane with the process driver. KRANE_HOST (default 127.0.0.1), KRANE_PORT
 * (default 50052), KRANE_ROOT_DIR (where relative `file:` images resolve; default the working directory),
 * KRANE_IMAGES_DIR (the only directory images may come from; default `examples` under KRANE_ROOT_DIR).
 * SIGTERM / SIGINT / SIGHUP stop every instance, then the process exits (within 10 s; a second signal: at once).
 */
async function main(): Promise<void> {
  const host = process.env.KRANE_HOST || '127.0.0.1';
  const port = parsePort(process.env.KRANE_PORT, 50052);
  const rootDir = process.env.KRANE_ROOT_DIR || process.cwd();
  const driver = new ProcessDriver({ rootDir, imagesDir: path.resolve(rootDir, process.env.KRANE_IMAGES_DIR || 'examples') });
  const server = await startKraneServer({ driver, host, port });
  console.log(`krane listening on ${server.url} (process driver)`);

  // Bounded: a call that never finishes must not keep the instances running; a second signal stops at once, and
  // instances still alive at exit are SIGKILLed (with whatever they started).
  const shutdown = new Shutdown({ logger: createLogger('info', { service: 'krane' }), deadlineMs: 10_000 });
  shutdown.add('instances', async () => {
    console.log('krane: stopping every instance');
    await driver.shutdown();
  });
  shutdown.add('grpc server', () => server.stop(), 3_000);
  shutdown.install();
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
