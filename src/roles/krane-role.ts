import path from 'node:path';
import { KRANE_TOKEN_RULE, kraneTokenProblem } from '../krane/auth';
import { createKraneDriver, parseKraneDriverName } from '../krane/drivers/create-driver';
import { startKraneServer } from '../krane/server';
import { createLogger } from '../logger';
import { Shutdown } from '../services/shutdown';
import { StartupState } from '../services/startup-state';
import { startHealthServer } from './health-server';
import { DEFAULT_HEALTH_PORT, parsePort } from './ports';

/**
 * `--role krane` (and `npm run krane`): a standalone Krane. KRANE_HOST (default 127.0.0.1), KRANE_PORT (default 50052),
 * KRANE_DRIVER (`process`, the default, or `docker`), HEALTH_PORT (default 8083: /healthz and /readyz, on KRANE_HOST).
 * process: KRANE_ROOT_DIR (where relative `file:` images resolve; default the working directory), KRANE_IMAGES_DIR
 * (the only directory images may come from; default `examples` under KRANE_ROOT_DIR).
 * docker: DOCKER_HOST (default the local socket), KRANE_ID (owner label; default derived from DATA_DIR, default
 * `.data`), KRANE_DOCKER_NETWORK (default `deployflow-tenants`).
 * Both: KRANE_TOKEN (required: the secret every call must present; give the same value to the control plane).
 * It needs neither Redis nor PostgreSQL. SIGTERM / SIGINT / SIGHUP stop the driver, then the process exits (within
 * 10 s; a second signal: at once): the process driver's instances stop with it, docker containers keep running and
 * are re-adopted by the next start.
 */
export async function runKraneRole(env: NodeJS.ProcessEnv): Promise<void> {
  const token = env.KRANE_TOKEN;
  const problem = kraneTokenProblem(token);
  if (problem) {
    // Without a token anyone who reaches the port could start and delete deployments: refuse to serve at all.
    console.error(`krane: KRANE_TOKEN ${problem}. Krane requires a shared secret: set KRANE_TOKEN to ${KRANE_TOKEN_RULE}, and the same value as KRANE_TOKEN for the control plane (KRANE_URL).`);
    process.exit(2);
  }
  const host = env.KRANE_HOST || '127.0.0.1';
  const port = parsePort('KRANE_PORT', env.KRANE_PORT, 50052);
  const healthPort = parsePort('HEALTH_PORT', env.HEALTH_PORT, DEFAULT_HEALTH_PORT.krane);
  const rootDir = env.KRANE_ROOT_DIR || process.cwd();
  const driverName = parseKraneDriverName(env.KRANE_DRIVER);
  const { driver, description } = await createKraneDriver({
    driver: driverName,
    rootDir,
    imagesDir: path.resolve(rootDir, env.KRANE_IMAGES_DIR || 'examples'),
    kraneId: env.KRANE_ID || undefined,
    dataDir: env.DATA_DIR || path.resolve(process.cwd(), '.data'),
    dockerNetwork: env.KRANE_DOCKER_NETWORK || undefined,
  });
  const startup = new StartupState('starting the gRPC server');
  // Bounded: a call that never finishes must not keep the instances running; a second signal stops at once, and
  // instances still alive at exit are SIGKILLed (with whatever they started).
  const shutdown = new Shutdown({ logger: createLogger('info', { service: 'krane' }), deadlineMs: 10_000 });
  shutdown.add('instances', async () => {
    console.log(driverName === 'docker' ? 'krane: stopping (containers keep running)' : 'krane: stopping every instance');
    await driver.shutdown();
  });
  shutdown.install();
  const health = await startHealthServer({ role: 'krane', host, port: healthPort, checks: {}, startup });
  shutdown.add('health server', () => health.close(), 1_000);
  const server = await startKraneServer({ driver, host, port, token: token! });
  shutdown.add('grpc server', () => server.stop(), 3_000);
  startup.done();
  console.log(`krane listening on ${server.url} (${description}); health on http://${host}:${health.port}`);
}
