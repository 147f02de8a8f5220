import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChildService } from '../../src/services/child-service';
import { freePort } from '../../src/services/free-port';
import { REPO_ROOT } from '../support/engine-harness';
import { eventually } from '../support/http-get';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start with no REDIS_URL, DATABASE_URL or KRANE_URL', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-embedded-'));
  let app: ChildService | undefined;
  afterAll(async () => {
    await app?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /readyz from its own redis-server and PGlite, prints a root key once, and SIGTERM leaves no child behind', async () => {
    const [apiPort, gatewayPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      API_PORT: String(apiPort),
      GATEWAY_PORT: String(gatewayPort),
      GRPC_PORT: String(grpcPort),
      LOG_LEVEL: 'info',
    };
    app = ChildService.start('deployflow', process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'main.ts')], { cwd: REPO_ROOT, env });
    const ready = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${apiPort}/readyz`);
      if (res.status !== 200) throw new Error(`readyz ${res.status}`);
      return res.json();
    }, 60_000, 200);
    expect(ready).toMatchObject({ status: 'ready' });
    expect(app.recentOutput()).toMatch(/Root API key \(shown once, keep it\): df_[A-Za-z0-9]{32}/);

    const redisPid = Number(readFileSync(path.join(dataDir, 'redis', 'deployflow-redis.pid'), 'utf8'));
    expect(alive(redisPid)).toBe(true);
    await app.stop(20_000, 'SIGTERM');
    expect(app.child.exitCode).toBe(0);
    await eventually(async () => {
      if (alive(redisPid)) throw new Error('redis-server still running');
    }, 5_000);

    // A second start on the same data directory keeps its data and prints no new root key.
    app = ChildService.start('deployflow', process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'main.ts')], { cwd: REPO_ROOT, env });
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${apiPort}/readyz`);
      if (res.status !== 200) throw new Error(`readyz ${res.status}`);
    }, 60_000, 200);
    expect(app.recentOutput()).not.toMatch(/Root API key/);
    await app.stop(20_000, 'SIGTERM');
    expect(app.child.exitCode).toBe(0);
  }, 120_000);
});
