import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKraneDriver, SelectedDriver } from '../../src/krane/drivers/create-driver';
import { eventually, helloSpec, isProcessAlive, REPO_ROOT } from './krane-test-kit';

/**
 * Runs the process driver as `npm start` does (createKraneDriver on a data directory) in a child process, deploys two
 * replicas of hello-api and prints their PIDs once they run. The test then SIGKILLs that process: its instances lead
 * process groups of their own, so they keep running, orphaned, as after a control plane killed for real.
 */
function runDriverThenWait(dataDir: string): { child: ChildProcess; pids: Promise<number[]> } {
  const script = `
    const { createKraneDriver } = require(${JSON.stringify(path.join(REPO_ROOT, 'src/krane/drivers/create-driver.ts'))});
    (async () => {
      const { driver } = await createKraneDriver({ driver: 'process', rootDir: ${JSON.stringify(REPO_ROOT)}, dataDir: ${JSON.stringify(dataDir)} });
      await driver.create(${JSON.stringify(helloSpec('dep_left_behind', { replicas: 2 }))});
      for (;;) {
        const instances = await driver.get('acme', 'dep_left_behind');
        if (instances.every((i) => i.status === 'running')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      console.log(JSON.stringify(Object.values(await driver.pids('acme', 'dep_left_behind'))));
      setInterval(() => undefined, 1000);
    })();`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = new Promise<number[]>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('['));
      if (line) resolve(JSON.parse(line) as number[]);
    });
    child.once('exit', (code) => reject(new Error(`driver process exited (${code}) before its instances ran`)));
  });
  return { child, pids };
}

describe('instances of the process driver left running by a control plane killed with SIGKILL', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'krane-left-behind-'));
  let orphans: number[] = [];
  let next: SelectedDriver | undefined;
  afterAll(async () => {
    await next?.driver.shutdown();
    for (const pid of orphans) if (isProcessAlive(pid)) process.kill(-pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('are stopped by the next start on the same data directory, which says so', async () => {
    const { child, pids } = runDriverThenWait(dataDir);
    orphans = await pids;
    expect(orphans).toHaveLength(2);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // Nothing stopped them: they outlive the process that started them.
    expect(orphans.every(isProcessAlive)).toBe(true);

    next = await createKraneDriver({ driver: 'process', rootDir: REPO_ROOT, dataDir });
    expect(next.description).toBe('process driver (2 instances an earlier run left running stopped)');
    await eventually('the orphans are gone', async () => (orphans.some(isProcessAlive) ? undefined : true));
    expect(readdirSync(path.join(dataDir, 'krane-process-groups'))).toEqual([]);
  }, 60_000);

  it('never signals a process that merely has a recorded group id: a start with nothing left behind stops nothing', async () => {
    // A process group of our own standing in for an unrelated one that was handed a recorded id.
    const bystander = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      const records = path.join(dataDir, 'krane-process-groups');
      writeFileSync(path.join(records, String(bystander.pid)), 'dep_left_behind-0-abcdef');
      await next?.driver.shutdown();
      next = await createKraneDriver({ driver: 'process', rootDir: REPO_ROOT, dataDir });
      expect(next.description).toBe('process driver');
      expect(isProcessAlive(bystander.pid!)).toBe(true);
      expect(readdirSync(records)).toEqual([]);
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});
