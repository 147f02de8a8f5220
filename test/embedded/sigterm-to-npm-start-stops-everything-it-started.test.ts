import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { REPO_ROOT } from '../support/engine-harness';
import { ControlPlane, freePorts, newDataDir, waitUntilGone } from './support/control-plane';

// What `timeout`, a supervisor or `kill $!` does: SIGTERM to the PID of `npm start` itself, not to node.
describe('kill -TERM <pid of npm start>', () => {
  const dataDir = newDataDir();
  let app: ControlPlane | undefined;
  afterAll(async () => {
    await app?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops node, redis-server and every app instance; a platform viewer key made first is not taken for the root key', async () => {
    // A platform viewer key on the fresh DATA_DIR has no workspace, like the root key, but cannot create workspaces.
    const platformKey = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/platform-key.ts', '--role', 'viewer'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    expect(platformKey).toMatch(/platform viewer key key_\S+ \(shown once, keep it\): df_/);

    app = ControlPlane.start({ dataDir, ports: await freePorts(), via: 'npm' });
    await app.waitUntilReady();
    const rootKey = app.rootKey();
    expect(rootKey).toBeDefined();
    const { hostname } = await app.deployHelloApi(rootKey!);
    expect((await app.viaGateway(hostname)).status).toBe(200);

    const started = app.processes();
    const commands = started.map((p) => p.command);
    expect(commands).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/node --import tsx src\/main\.ts/),
        expect.stringMatching(/redis-server/),
        expect.stringMatching(/examples\/hello-api/),
      ]),
    );

    const signalledAt = Date.now();
    process.kill(app.pid, 'SIGTERM');
    const exit = await app.exited;
    const left = await waitUntilGone(started, 15_000);
    const allGoneMs = Date.now() - signalledAt;
    console.log(`SIGTERM to npm (pid ${app.pid}): npm exited after ${exit.at - signalledAt} ms, every process it started gone after ${allGoneMs} ms (${started.length} processes)`);
    expect(left.map((p) => `${p.pid} ${p.command}`)).toEqual([]);
    expect(exit.code).toBe(0);
    expect(app.output).toContain('"msg":"stopped"');
  }, 300_000);
});
