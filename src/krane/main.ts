import path from 'node:path';
import { createLogger } from '../logger';
import { Shutdown } from '../services/shutdown';
import { KRANE_TOKEN_RULE, kraneTokenProblem } from './auth';
import { createKraneDriver, parseKraneDriverName } from './drivers/create-driver';
import { startKraneServer } from './server';

/**
 * `npm run krane`: a standalone Krane. KRANE_HOST (default 127.0.0.1), KRANE_PORT (default 50052), KRANE_DRIVER
 * (`process`, the default, or `docker`).
 * process: KRANE_ROOT_DIR (where relative `file:` images resolve; default the working directory), KRANE_IMAGES_DIR
 * (the only directory images may come from; default `examples` under KRANE_ROOT_DIR).
 * docker: DOCKER_HOST (default the local socket), KRANE_ID (owner label; default derived from DATA_DIR, default
 * `.data`), KRANE_DOCKER_NETWORK (default `deployflow-tenants`).
 * Both: KRANE_TOKEN (required: the secret every call must present; give the same value to the control plane).
 * SIGTERM / SIGINT / SIGHUP stop the driver, then the process exits (within 10 s; a second signal: at once): the
 * process driver's instances stop with it, docker containers keep running and are re-adopted by the next start.
 */
async function main(): Promise<void> {
  const token = process.env.KRANE_TOKEN;
  const problem = kraneTokenProblem(token);
  if (problem) {
    // Without a token anyone who reaches the port could start and delete deployments: refuse to serve at all.
    console.error(`krane: KRANE_TOKEN ${problem}. Krane requires a shared secret: set KRANE_TOKEN to ${KRANE_TOKEN_RULE}, and the same value as KRANE_TOKEN for the control plane (KRANE_URL).`);
    process.exit(2);
  }
  const host = process.env.KRANE_HOST || '127.0.0.1';
  const port = parsePort(process.env.KRANE_PORT, 50052);
  const rootDir = process.env.KRANE_ROOT_DIR || process.cwd();
  const driverName = parseKraneDriverName(process.env.KRANE_DRIVER);
  const { driver, description } = await createKraneDriver({
    driver: driverName,
    rootDir,
    imagesDir: path.resolve(rootDir, process.env.KRANE_IMAGES_DIR || 'examples'),
    kraneId: process.env.KRANE_ID || undefined,
    dataDir: process.env.DATA_DIR || path.resolve(process.cwd(), '.data'),
    dockerNetwork: process.env.KRANE_DOCKER_NETWORK || undefined,
  });
  const server = await startKraneServer({ driver, host, port, token: token! });
  console.log(`krane listening on ${server.url} (${description})`);

  // Bounded: a call that never finishes must not keep the instances running; a second signal stops at once, and
  // instances still alive at exit are SIGKILLed (with whatever they started).
  const shutdown = new Shutdown({ logger: createLogger('info', { service: 'krane' }), deadlineMs: 10_000 });
  shutdown.add('instances', async () => {
    console.log(driverName === 'docker' ? 'krane: stopping (containers keep running)' : 'krane: stopping every instance');
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
