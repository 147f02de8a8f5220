import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ControlPlane, freePorts, newDataDir } from '../embedded/support/control-plane';
import { bulkText } from './support/bulk-file';
import { runEnqueue } from './support/enqueue-process';

// The whole control plane on its embedded defaults plus a real deploy, on a loaded machine: bounds catch a hang only.
jest.setTimeout(300_000);

/**
 * `npm start` with no REDIS_URL, DATABASE_URL or KRANE_URL (its own redis-server on a random port, PGlite, embedded
 * Krane), and the script given nothing but `--api` and `--key`: no database or Redis address in its environment.
 */
describe('npm run enqueue against the default npm start', () => {
  const dataDir = newDataDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'enqueue-npm-start-'));
  let cp: ControlPlane;
  afterAll(async () => {
    await cp?.kill();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('enqueues a file with only the API address and a key, shows progress and each line, and a rerun does nothing new', async () => {
    cp = ControlPlane.start({ dataDir, ports: await freePorts() });
    await cp.waitUntilReady();
    const rootKey = cp.rootKey()!;
    const workspace = await cp.api('POST', '/v1/workspaces', rootKey, { slug: 'acme', name: 'Acme' });
    const key = workspace.apiKey.key as string;
    await cp.api('POST', '/v1/projects', key, { slug: 'shop', name: 'Shop' });
    const apiUrl = `http://127.0.0.1:${cp.ports.api}`;

    const file = path.join(dir, 'shop.jsonl');
    writeFileSync(file, bulkText('# one deploy', { op: 'deploy', projectId: 'shop', image: 'file:examples/hello-api', git: { branch: 'main' } }));
    const first = await runEnqueue([file, '--api', apiUrl, '--key', key]);
    expect(first.code).toBe(0);
    const row = /^line\s+2 {2}deploy {2}enqueued (op_\w+), deployment (dep_\w+) - deploy file:examples\/hello-api to shop\/production$/m.exec(first.stdout);
    expect(row).not.toBeNull();
    expect(first.stdout).toMatch(/^1 line\(s\): 1 enqueued in \d+\.\ds$/m);
    // stderr is not a terminal here: progress comes as plain lines, the last one at the end of the run.
    expect(first.stderr).toMatch(/^enqueue: 1\/1 lines, [\d.]+\/s, done$/m);

    // The workers of npm start run it: the deploy goes live.
    const operationId = row![1];
    const deadline = Date.now() + 180_000;
    let op = await cp.api('GET', `/v1/operations/${operationId}`, key);
    while (op.state !== 'succeeded' && op.state !== 'failed' && Date.now() < deadline) op = await cp.api('GET', `/v1/operations/${operationId}?wait=20`, key);
    expect(op.state).toBe('succeeded');
    expect((await cp.api('GET', '/v1/projects/shop', key)).liveDeploymentId).toBe(row![2]);

    const again = await runEnqueue([file, '--api', apiUrl, '--key', key]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^line\\s+2 {2}deploy {2}already done ${operationId}, deployment ${row![2]} `, 'm'));
    expect(again.stdout).toMatch(/^1 line\(s\): 1 already done in /m);
  });
});
