import { ChildProcess, spawn } from 'node:child_process';
import { createKraneClient } from '../../src/krane/client';
import { eventually, helloSpec, httpGet, isProcessAlive, REPO_ROOT, TEST_KRANE_TOKEN } from './krane-test-kit';

describe('npm run krane (src/krane/main.ts)', () => {
  let krane: ChildProcess | undefined;

  afterAll(async () => {
    if (krane && krane.exitCode === null && krane.signalCode === null) {
      const exited = new Promise((resolve) => krane!.once('exit', resolve));
      krane.kill('SIGKILL');
      await exited;
    }
  });

  it('serves gRPC on KRANE_PORT and, on SIGTERM, stops every instance it started and exits 0', async () => {
    krane = spawn(process.execPath, ['--import', 'tsx', 'src/krane/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, KRANE_PORT: '0', HEALTH_PORT: '0', KRANE_HOST: '127.0.0.1', KRANE_TOKEN: TEST_KRANE_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    krane.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    krane.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => krane!.once('exit', (code) => resolve(code)));

    const url = await eventually('krane to print its address', async () => /krane listening on (\S+)/.exec(output)?.[1], 400);
    const client = createKraneClient(url, { token: TEST_KRANE_TOKEN });
    let appPids: number[];
    try {
      await client.create(helloSpec('dep_standalone', { replicas: 2 }));
      const instances = await eventually('both running', async () => {
        const now = await client.get('acme', 'dep_standalone');
        return now.every((i) => i.status === 'running') ? now : undefined;
      });
      // The driver lives in the other process: each app tells us its PID.
      appPids = await Promise.all(instances.map(async (i) => (JSON.parse((await httpGet(i.address, '/')).body) as { pid: number }).pid));
      for (const pid of appPids) expect(isProcessAlive(pid)).toBe(true);
    } finally {
      client.close();
    }

    krane.kill('SIGTERM');
    expect(await exit).toBe(0);
    for (const pid of appPids) expect(isProcessAlive(pid)).toBe(false);
    expect(output).toContain('stopping every instance');
  });
});
