import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ControlPlane, freePorts, newDataDir } from './support/control-plane';

// Port 1 on loopback: nothing listens there, so every connection attempt is refused.
describe('npm start pointed at a Redis or PostgreSQL that does not answer', () => {
  const dataDirs: string[] = [];
  const started: ControlPlane[] = [];
  afterAll(async () => {
    for (const app of started) await app.kill();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['REDIS_URL', 'redis://:hunter2-secret@127.0.0.1:1', 'Redis at redis://:***@127.0.0.1:1 is not reachable (connect ECONNREFUSED 127.0.0.1:1)'],
    [
      'DATABASE_URL',
      'postgresql://app:hunter2-secret@127.0.0.1:1/deployflow',
      'PostgreSQL at postgresql://app:***@127.0.0.1:1/deployflow is not reachable (connect ECONNREFUSED 127.0.0.1:1)',
    ],
  ])('%s unreachable: exits 1 within ~15 s with one line naming the URL (password redacted), having touched nothing', async (name, url, expected) => {
    const dataDir = newDataDir();
    dataDirs.push(dataDir);
    const startedAt = Date.now();
    const app = ControlPlane.start({ dataDir, ports: await freePorts(), env: { [name]: url } });
    started.push(app);
    const exit = await app.exited;
    const ms = exit.at - startedAt;
    console.log(`${name}=${url.replace('hunter2-secret', '***')}: exited ${exit.code} after ${ms} ms: ${app.output.trim()}`);

    expect(exit.code).toBe(1);
    const lines = app.output.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`deployflow: cannot start: ${expected}`);
    expect(app.output).not.toContain('hunter2');
    expect(app.output).not.toContain('Root API key');
    // No database was opened (so no root key was made and spent) and no embedded server was started.
    expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'redis'))).toBe(false);
    expect(readdirSync(dataDir)).toEqual([]); // the DATA_DIR lock was released too
    // 8 s of retrying (STARTUP_DEPENDENCY_TIMEOUT_MS) plus node's own start; slack for a loaded machine.
    expect(ms).toBeLessThan(20_000);
  }, 60_000);
});
