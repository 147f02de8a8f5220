import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, waitForPort } from '../../src/services/free-port';
import { REPO_ROOT } from '../support/engine-harness';

export interface HelloApi {
  address: string;
  stop(): Promise<void>;
}

/** examples/hello-api as its own process on a free port, with extra environment (FAIL_RATE, EXTRA_LATENCY_MS…). */
export async function startHelloApi(deploymentId: string, env: Record<string, string> = {}): Promise<HelloApi> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'examples/hello-api/index.js')], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', DEPLOYMENT_ID: deploymentId },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
