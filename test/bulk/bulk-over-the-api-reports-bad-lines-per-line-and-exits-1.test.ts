import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/services/free-port';
import { ApiHarness, startApiHarness, WorkspaceKeys } from '../api/support/api-harness';
import { createProject } from '../api/support/deployments';
import { HELLO_API } from '../support/engine-harness';
import { ApiOverSocket, serveOverSocket } from './support/api-over-socket';
import { bulkText } from './support/bulk-file';
import { runEnqueue } from './support/enqueue-process';

// Each run starts a Node process with tsx on a loaded machine: the bounds catch a hang, they time nothing.
jest.setTimeout(180_000);

const IMAGE = 'registry.example/shop:1.0';

/**
 * A real API (harness PostgreSQL and Redis, no workers) whose Krane runs docker, so a `file:` image is a 400 naming
 * `image` that only the API can give: the script's own checks (the API's schemas) accept it.
 */
describe('bad lines over the API', () => {
  let h: ApiHarness;
  let api: ApiOverSocket;
  let ws: WorkspaceKeys;
  let dir: string;
  beforeAll(async () => {
    h = await startApiHarness({ env: { KRANE_DRIVER: 'docker' } });
    api = await serveOverSocket(h.app);
    ws = await h.workspace('acme');
    await createProject(h, ws.admin, 'api');
    dir = mkdtempSync(path.join(os.tmpdir(), 'enqueue-bad-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await api.close();
    await h.close();
  });

  const file = (name: string, ...rows: Array<object | string>) => {
    const p = path.join(dir, name);
    writeFileSync(p, bulkText(...rows));
    return p;
  };
  const deployPosts = () => api.requests.filter((r) => r.method === 'POST' && r.path === '/v1/deployments').length;

  const mixed = () =>
    file(
      'mixed.jsonl',
      { op: 'deploy', projectId: 'api', image: IMAGE },
      { op: 'deploy', projectId: 'api', image: HELLO_API },
      { op: 'deploy', projectId: 'api', image: IMAGE, runtime: { replicas: 99 } },
      { op: 'deploy', projectId: 'api', image: IMAGE, colour: 'blue' },
      '{"op":"deploy",',
      { op: 'deploy', projectId: 'nope', image: IMAGE },
      { op: 'deploy', projectId: 'api', environment: 'staging', image: IMAGE },
      { op: 'rescrape-openapi', deploymentId: 'dep_x' },
    );

  it('reports each refused line with its status, code and the field named, runs the good ones, and exits 1', async () => {
    const postsBefore = deployPosts();
    const run = await runEnqueue([mixed(), '--json'], { DEPLOYFLOW_API_URL: api.url, DEPLOYFLOW_API_KEY: ws.deployer });
    expect(run.code).toBe(1);
    const rows = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const summary = rows.pop().summary;
    const byLine = new Map(rows.map((r) => [r.line, r]));
    expect([...byLine.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    expect(byLine.get(1)).toMatchObject({ outcome: 'enqueued', operationId: expect.stringMatching(/^op_/) });
    // Refused by the API: its status and code, and the field it named.
    expect(byLine.get(2)).toMatchObject({ outcome: 'rejected', status: 400, code: 'validation_failed', issues: [expect.objectContaining({ field: 'image' })] });
    expect(byLine.get(2).message).toMatch(/image: /);
    // Refused before sending, by the API's own schemas: the line number and the field.
    expect(byLine.get(3)).toMatchObject({ outcome: 'rejected', code: 'validation_failed', issues: [{ field: 'runtime.replicas', message: expect.any(String) }] });
    expect(byLine.get(3).message).toMatch(/^line 3: runtime\.replicas: /);
    expect(byLine.get(4)).toMatchObject({ outcome: 'rejected', code: 'validation_failed', issues: [{ field: 'colour', message: 'unknown field' }] });
    expect(byLine.get(5)).toMatchObject({ outcome: 'rejected', code: 'invalid_json' });
    expect(byLine.get(6)).toMatchObject({ outcome: 'rejected', status: 404, code: 'not_found' });
    expect(byLine.get(6).message).toMatch(/nope/);
    expect(byLine.get(7)).toMatchObject({ outcome: 'rejected', status: 404, code: 'not_found' });
    expect(byLine.get(7).message).toMatch(/staging/);
    expect(byLine.get(8)).toMatchObject({ outcome: 'rejected', code: 'not_available_over_api' });
    expect(byLine.get(8).message).toMatch(/--direct/);
    expect(summary).toMatchObject({ total: 8, enqueued: 1, rejected: 7, stoppedBy: null });

    // Only lines that passed the schemas and name a project of the key's workspace were sent; one deploy was recorded.
    expect(deployPosts() - postsBefore).toBe(3);
    expect(await h.db.prisma.operation.count()).toBe(1);

    // The same refusals as rows for people.
    const text = await runEnqueue([mixed()], { DEPLOYFLOW_API_URL: api.url, DEPLOYFLOW_API_KEY: ws.deployer });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^line\s+1 {2}deploy {12}already done op_\w+/m);
    expect(text.stdout).toMatch(/^line\s+2 {2}deploy {12}rejected 400 validation_failed: .*image: /m);
    expect(text.stdout).toMatch(/^line\s+3 {2}deploy {12}rejected validation_failed: line 3: runtime\.replicas: /m);
    expect(text.stdout).toMatch(/^line\s+6 {2}deploy {12}rejected 404 not_found: /m);
    expect(text.stdout).toMatch(/^8 line\(s\): 1 already done, 7 rejected in /m);
    expect(await h.db.prisma.operation.count()).toBe(1);
  });

  it('a key that may only read gets 403 per line; a wrong key, a root key or no API stop the run before any line (exit 2)', async () => {
    const one = file('one.jsonl', { op: 'deploy', projectId: 'api', image: 'registry.example/shop:2.0' });
    const operationsBefore = await h.db.prisma.operation.count();

    const viewer = await runEnqueue([one], { DEPLOYFLOW_API_URL: api.url, DEPLOYFLOW_API_KEY: ws.viewer });
    expect(viewer.code).toBe(1);
    expect(viewer.stdout).toMatch(/^line\s+1 {2}deploy {2}rejected 403 forbidden: /m);

    const wrong = await runEnqueue([one, '--key', 'df_wrongwrongwrongwrongwrongwrong12', '--api', api.url]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/enqueue: the API refused the key \(401 \w+\)/);
    expect(wrong.stdout).toBe('');

    const root = await runEnqueue([one, '--key', h.rootKey, '--api', api.url]);
    expect(root.code).toBe(2);
    expect(root.stderr).toMatch(/enqueue: the API refused the key \(4\d\d \w+\)/);

    const nobody = `http://127.0.0.1:${await freePort()}`;
    const down = await runEnqueue([one, '--key', ws.deployer, '--api', nobody]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`enqueue: cannot reach the API: GET ${nobody}/v1/projects?limit=1: ECONNREFUSED`);
    expect(down.stderr).toContain('Is the control plane running (npm start)?');

    expect(await h.db.prisma.operation.count()).toBe(operationsBefore);
  });
});
