import http from 'node:http';
import path from 'node:path';
import { generateKraneToken } from '../../src/krane/auth';
import { KraneDeploymentSpec } from '../../src/krane/types';

/** The repository root: `file:examples/hello-api` resolves against it. */
export const REPO_ROOT = path.resolve(__dirname, '../..');

/** The shared secret for Krane servers a test starts itself (the embedded Krane draws its own). */
export const TEST_KRANE_TOKEN = generateKraneToken();

/** Fast health checks so tests reach `running` quickly; a short grace so deletes of stuck apps end soon. */
export const FAST_DRIVER = { rootDir: REPO_ROOT, healthIntervalMs: 50, runningHealthIntervalMs: 200, gracePeriodMs: 2_000 };

export function helloSpec(deploymentId: string, overrides: Partial<KraneDeploymentSpec> = {}): KraneDeploymentSpec {
  return {
    namespace: 'acme',
    deploymentId,
    image: 'file:examples/hello-api',
    replicas: 1,
    cpuMillicores: 250,
    memoryMib: 128,
    ...overrides,
  };
}

/** Polls `probe` until it returns a value other than undefined; fails after `attempts` tries, naming `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, attempts = 300, intervalMs = 50): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** process.kill(pid, 0) throws once no process has that PID. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function httpGet(address: string, urlPath: string): Promise<{ status: number; body: string }> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port: Number(port), path: urlPath, agent: false, timeout: 5_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${address}${urlPath} timed out`)));
    request.on('error', reject);
  });
}
