import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ControlPlane, embeddedRedisPid, freePorts, isRunning, newDataDir, ProcessRef } from './support/control-plane';

describe('a second npm start on the same DATA_DIR', () => {
  const dataDir = newDataDir();
  const lockFile = path.join(dataDir, 'deployflow.lock');
  const started: ControlPlane[] = [];
  const remembered: ProcessRef[] = [];
  afterAll(async () => {
    for (const app of started) await app.kill();
    for (const ref of remembered.filter(isRunning)) process.kill(ref.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = async () => {
    const app = ControlPlane.start({ dataDir, ports: await freePorts() });
    started.push(app);
    return app;
  };

  it('refuses at once with a clear message while the first runs; the first keeps its redis-server and keeps answering', async () => {
    const first = await start();
    await first.waitUntilReady();
    const firstProcesses = first.processes();
    remembered.push(...firstProcesses);
    const redis = firstProcesses.find((p) => /redis-server/.test(p.command))!;
    expect(redis.pid).toBe(embeddedRedisPid(dataDir));

    const second = await start();
    const startedAt = Date.now();
    const exit = await second.exited;
    console.log(`second start refused after ${exit.at - startedAt} ms (exit code ${exit.code})`);
    expect(exit.code).toBe(1);
    expect(second.output.trim()).toBe(
      `deployflow: cannot start: DATA_DIR ${dataDir} is in use by deployflow process ${first.pid} (running since ${/running since ([^)]+)\)/.exec(second.output)?.[1]}): stop that one first, or give this one another DATA_DIR`,
    );

    expect(isRunning(redis)).toBe(true);
    expect(embeddedRedisPid(dataDir)).toBe(redis.pid);
    expect((await first.readyz()).status).toBe(200);
    // Still stoppable, by the signal and with everything it started.
    first.signal('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(isRunning(redis)).toBe(false);
  }, 300_000);

  it('takes over the lock of a start that was killed, and stops the redis-server that run left behind', async () => {
    const killed = await start();
    await killed.waitUntilReady();
    const orphans = killed.processes();
    remembered.push(...orphans);
    const oldRedis = orphans.find((p) => /redis-server/.test(p.command))!;
    killed.child.kill('SIGKILL'); // no shutdown: the lock file stays, naming a dead process; redis-server is orphaned
    await killed.exited;
    expect(isRunning(oldRedis)).toBe(true);
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(killed.pid);

    const next = await start();
    await next.waitUntilReady();
    remembered.push(...next.processes());
    expect(isRunning(oldRedis)).toBe(false);
    expect(embeddedRedisPid(dataDir)).not.toBe(oldRedis.pid);
    expect(next.rootKey()).toBeUndefined(); // same data: the root key was made by the first start
    // The lock now names the new owner, and goes with it.
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(next.pid);
    next.signal('SIGTERM');
    expect((await next.exited).code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  }, 300_000);
});
